-- Every attempt at every notification of the last {{LOOKBACK_DAYS}} days (the function covers at
-- most 14): one row per attempt, STATUS QUEUED, SUCCESS, RETRIABLE_FAILURE or FAILURE, and the
-- webhook's HTTP response body in ERROR_MESSAGE. CREATED is read as naive UTC, like every
-- timestamp here. The owner role sees the rows of the integrations it has USAGE on.
-- https://docs.snowflake.com/en/sql-reference/functions/notification_history
SELECT INTEGRATION_NAME, ID, ATTEMPT, STATUS, ERROR_MESSAGE,
       CAST(CONVERT_TIMEZONE('UTC', CREATED) AS TIMESTAMP_NTZ) AS CREATED_UTC
FROM TABLE({{NOTIFICATION_HISTORY}}(
    START_TIME => DATEADD('day', -{{LOOKBACK_DAYS}}, CURRENT_TIMESTAMP()), RESULT_LIMIT => 10000))
