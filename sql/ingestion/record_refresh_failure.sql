-- Records that one agent's refresh failed; its watermark stays, so the next cycle retries
-- from the same point and nothing is lost. An agent never read before keeps the start of the
-- window its first attempt tried (LAST_READ_FROM), so it reads from there once it recovers.
-- Binds: 1-3 the agent's database, schema and name; 4 the error message; 5 READ_FROM of the
-- attempt (NULL when the failure came before it was known); 6 why this cycle read per agent.
MERGE INTO {{INGEST_STATE_TABLE}} AS s
USING (
    SELECT CAST(? AS VARCHAR) AS AGENT_DATABASE, CAST(? AS VARCHAR) AS AGENT_SCHEMA,
           CAST(? AS VARCHAR) AS AGENT_NAME, CAST(? AS VARCHAR) AS ERROR_MESSAGE,
           CAST(? AS TIMESTAMP_NTZ) AS READ_FROM, CAST(? AS VARCHAR) AS REASON
) AS r
ON s.AGENT_DATABASE = r.AGENT_DATABASE AND s.AGENT_SCHEMA = r.AGENT_SCHEMA AND s.AGENT_NAME = r.AGENT_NAME
WHEN MATCHED THEN UPDATE SET
    LAST_REFRESH_AT = SYSDATE(),
    LAST_REFRESH_STATUS = 'ERROR',
    LAST_ERROR_MESSAGE = r.ERROR_MESSAGE,
    LAST_ROWS_LOADED = 0,
    LAST_READ_FROM = COALESCE(s.LAST_READ_FROM, r.READ_FROM),
    CONSECUTIVE_FAILURES = COALESCE(s.CONSECUTIVE_FAILURES, 0) + 1,
    INGEST_PATH = 'PER_AGENT',
    INGEST_PATH_REASON = r.REASON
WHEN NOT MATCHED THEN INSERT (
    AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, LAST_REFRESH_AT, LAST_REFRESH_STATUS,
    LAST_ERROR_MESSAGE, LAST_ROWS_LOADED, LAST_READ_FROM, CONSECUTIVE_FAILURES, INGEST_PATH, INGEST_PATH_REASON
) VALUES (
    r.AGENT_DATABASE, r.AGENT_SCHEMA, r.AGENT_NAME, SYSDATE(), 'ERROR',
    r.ERROR_MESSAGE, 0, r.READ_FROM, 1, 'PER_AGENT', r.REASON
)
