-- The state a successful refresh leaves, shared by record_refresh_success.sql (one agent) and
-- record_event_table_success.sql (every agent the pass read): the including MERGE's source `r`
-- has AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, READ_FROM, READ_STARTED, ROWS_LOADED, NEWEST_EVENT
-- and REASON. The watermark moves to the newest event held; INGEST_PATH is the path the read took.
-- LAST_READ_STARTED_AT is when the read started (READ_STARTED, taken before it read anything): a
-- statement sees only what was committed before it began
-- (READ COMMITTED, https://docs.snowflake.com/en/sql-reference/transactions), and the next
-- read starts at LAST_READ_STARTED_AT less the overlap (read_from.sql), so an event that reaches
-- the event table while this read runs is inside the next one. LAST_REFRESH_AT is when the
-- refresh ended, as the reference's AGENT_INGEST_STATE records it, for the readers that show how
-- long ago an agent was refreshed (PIPELINE_HEALTH, the data_lag alert rule).
ON s.AGENT_DATABASE = r.AGENT_DATABASE AND s.AGENT_SCHEMA = r.AGENT_SCHEMA AND s.AGENT_NAME = r.AGENT_NAME
WHEN MATCHED THEN UPDATE SET
    LAST_EVENT_TIMESTAMP = COALESCE(GREATEST(s.LAST_EVENT_TIMESTAMP, r.NEWEST_EVENT), s.LAST_EVENT_TIMESTAMP, r.NEWEST_EVENT),
    LAST_REFRESH_AT = SYSDATE(),
    LAST_READ_STARTED_AT = r.READ_STARTED,
    LAST_REFRESH_STATUS = 'OK',
    LAST_ERROR_MESSAGE = NULL,
    LAST_READ_FROM = r.READ_FROM,
    LAST_ROWS_LOADED = r.ROWS_LOADED,
    CONSECUTIVE_FAILURES = 0,
    INGEST_PATH = {{RECORDED_INGEST_PATH}},
    INGEST_PATH_REASON = r.REASON
WHEN NOT MATCHED THEN INSERT (
    AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, LAST_EVENT_TIMESTAMP, LAST_REFRESH_AT,
    LAST_REFRESH_STATUS, LAST_ERROR_MESSAGE, LAST_READ_FROM, LAST_ROWS_LOADED, CONSECUTIVE_FAILURES,
    INGEST_PATH, INGEST_PATH_REASON, LAST_READ_STARTED_AT
) VALUES (
    r.AGENT_DATABASE, r.AGENT_SCHEMA, r.AGENT_NAME, r.NEWEST_EVENT, SYSDATE(),
    'OK', NULL, r.READ_FROM, r.ROWS_LOADED, 0, {{RECORDED_INGEST_PATH}}, r.REASON, r.READ_STARTED
)
