-- Records a failed event-table pass (ingestPath event_table, no fallback) against every active
-- agent, set-based: one pass cannot fail for one agent only. Watermarks stay, so the next cycle
-- re-reads the same windows; an agent never read keeps the start of its first window.
-- Binds: 1 lookback hours, 2 history days, 3 the error message, 4 the reason for the path.
MERGE INTO {{INGEST_STATE_TABLE}} AS s
USING (
    WITH READ_POINTS AS (
        {{> ingestion/read_points.sql}}
    )
    SELECT p.AGENT_DATABASE, p.AGENT_SCHEMA, p.AGENT_NAME, p.READ_FROM,
           CAST(? AS VARCHAR) AS ERROR_MESSAGE, CAST(? AS VARCHAR) AS REASON
    FROM READ_POINTS AS p
) AS r
ON s.AGENT_DATABASE = r.AGENT_DATABASE AND s.AGENT_SCHEMA = r.AGENT_SCHEMA AND s.AGENT_NAME = r.AGENT_NAME
WHEN MATCHED THEN UPDATE SET
    LAST_REFRESH_AT = SYSDATE(),
    LAST_REFRESH_STATUS = 'ERROR',
    LAST_ERROR_MESSAGE = r.ERROR_MESSAGE,
    LAST_ROWS_LOADED = 0,
    LAST_READ_FROM = COALESCE(s.LAST_READ_FROM, r.READ_FROM),
    CONSECUTIVE_FAILURES = COALESCE(s.CONSECUTIVE_FAILURES, 0) + 1,
    INGEST_PATH = 'EVENT_TABLE',
    INGEST_PATH_REASON = r.REASON
WHEN NOT MATCHED THEN INSERT (
    AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, LAST_REFRESH_AT, LAST_REFRESH_STATUS,
    LAST_ERROR_MESSAGE, LAST_ROWS_LOADED, LAST_READ_FROM, CONSECUTIVE_FAILURES, INGEST_PATH, INGEST_PATH_REASON
) VALUES (
    r.AGENT_DATABASE, r.AGENT_SCHEMA, r.AGENT_NAME, SYSDATE(), 'ERROR',
    r.ERROR_MESSAGE, 0, r.READ_FROM, 1, 'EVENT_TABLE', r.REASON
)
