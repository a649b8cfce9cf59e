-- Each task's newest finished run in the last day and its failures there
-- (https://docs.snowflake.com/en/sql-reference/functions/task_history).
SELECT
    h.NAME,
    MAX_BY(h.STATE, h.SCHEDULED_TIME) AS LAST_STATE,
    MAX(h.COMPLETED_TIME) AS LAST_COMPLETED,
    COUNT_IF(h.STATE = 'FAILED') AS FAILURES,
    MAX_BY(h.ERROR_MESSAGE, IFF(h.STATE = 'FAILED', h.SCHEDULED_TIME, NULL)) AS LAST_ERROR
FROM TABLE({{INFORMATION_SCHEMA}}.TASK_HISTORY(
    SCHEDULED_TIME_RANGE_START => DATEADD('day', -1, CURRENT_TIMESTAMP()),
    RESULT_LIMIT => 10000)) AS h
WHERE h.SCHEMA_NAME = {{SCHEMA_NAME}} AND h.STATE <> 'SCHEDULED'
GROUP BY h.NAME
