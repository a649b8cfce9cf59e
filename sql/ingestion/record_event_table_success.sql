-- Records a successful event-table pass for every agent it read (every active agent), set-based:
-- watermark to the newest event loaded, OK, rows this cycle loaded, INGEST_PATH EVENT_TABLE.
-- Runs after insert_events_from_event_table.sql and before anything else changes the state, so
-- READ_POINTS gives each agent the point the pass read from.
-- cycle_started was taken before the pass read anything: rows loaded at or after it are this
-- cycle's, and it is the read's start the state records (record_success_state.sql).
MERGE INTO {{INGEST_STATE_TABLE}} AS s
USING (
    WITH READ_POINTS AS (
        {{> ingestion/read_points.sql}}
    ),
    LOADED AS (
        SELECT h.AGENT_DATABASE, h.AGENT_SCHEMA, h.AGENT_NAME,
               COUNT(*) AS ROWS_LOADED, MAX(h.EVENT_TIMESTAMP) AS NEWEST_EVENT
        FROM {{HISTORY_TABLE}} AS h
        WHERE h.LOADED_AT >= CAST({{bind cycle_started}} AS TIMESTAMP_NTZ)
        GROUP BY h.AGENT_DATABASE, h.AGENT_SCHEMA, h.AGENT_NAME
    )
    SELECT p.AGENT_DATABASE, p.AGENT_SCHEMA, p.AGENT_NAME, p.READ_FROM,
           CAST({{bind cycle_started}} AS TIMESTAMP_NTZ) AS READ_STARTED,
           COALESCE(l.ROWS_LOADED, 0) AS ROWS_LOADED, l.NEWEST_EVENT,
           CAST({{bind reason}} AS VARCHAR) AS REASON
    FROM READ_POINTS AS p
    LEFT JOIN LOADED AS l
        ON l.AGENT_DATABASE = p.AGENT_DATABASE AND l.AGENT_SCHEMA = p.AGENT_SCHEMA AND l.AGENT_NAME = p.AGENT_NAME
) AS r
{{> ingestion/record_success_state.sql}}
