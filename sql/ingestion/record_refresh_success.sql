-- Records a successful refresh of one agent and moves its watermark to the newest event held.
-- reason says why this cycle read per agent (INGEST_PATH_REASON).
MERGE INTO {{INGEST_STATE_TABLE}} AS s
USING (
    SELECT
        a.AGENT_DATABASE, a.AGENT_SCHEMA, a.AGENT_NAME, a.READ_FROM, a.ROWS_LOADED, a.REASON,
        (SELECT MAX(h.EVENT_TIMESTAMP) FROM {{HISTORY_TABLE}} AS h
          WHERE h.AGENT_DATABASE = a.AGENT_DATABASE
            AND h.AGENT_SCHEMA = a.AGENT_SCHEMA
            AND h.AGENT_NAME = a.AGENT_NAME) AS NEWEST_EVENT
    FROM (
        SELECT CAST({{bind agent_database}} AS VARCHAR) AS AGENT_DATABASE, CAST({{bind agent_schema}} AS VARCHAR) AS AGENT_SCHEMA,
               CAST({{bind agent_name}} AS VARCHAR) AS AGENT_NAME, CAST({{bind read_from}} AS TIMESTAMP_NTZ) AS READ_FROM,
               CAST({{bind rows_loaded}} AS INTEGER) AS ROWS_LOADED, CAST({{bind reason}} AS VARCHAR) AS REASON
    ) AS a
) AS r
{{> ingestion/record_success_state.sql}}
