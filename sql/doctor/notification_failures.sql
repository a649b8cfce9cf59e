-- Failed deliveries in the last day, per integration (one row per attempt; at most 14 days kept;
-- https://docs.snowflake.com/en/sql-reference/functions/notification_history).
SELECT h.INTEGRATION_NAME, COUNT(*) AS FAILURES, MAX_BY(h.ERROR_MESSAGE, h.CREATED) AS LAST_ERROR
FROM TABLE({{INFORMATION_SCHEMA}}.NOTIFICATION_HISTORY(
    START_TIME => DATEADD('day', -1, CURRENT_TIMESTAMP()),
    RESULT_LIMIT => 10000)) AS h
WHERE h.STATUS = 'FAILURE'
GROUP BY h.INTEGRATION_NAME
