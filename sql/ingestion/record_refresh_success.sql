-- Records a successful refresh of one agent and moves its watermark to the newest event held.
-- Binds: 1-3 the agent's database, schema and name; 4 READ_FROM; 5 rows loaded;
--        6 why this cycle read per agent (INGEST_PATH_REASON).
MERGE INTO {{INGEST_STATE_TABLE}} AS s
USING (
    SELECT
        a.AGENT_DATABASE, a.AGENT_SCHEMA, a.AGENT_NAME, a.READ_FROM, a.ROWS_LOADED, a.REASON,
        (SELECT MAX(h.EVENT_TIMESTAMP) FROM {{HISTORY_TABLE}} AS h
          WHERE h.AGENT_DATABASE = a.AGENT_DATABASE
            AND h.AGENT_SCHEMA = a.AGENT_SCHEMA
            AND h.AGENT_NAME = a.AGENT_NAME) AS NEWEST_EVENT
    FROM (
        SELECT CAST(? AS VARCHAR) AS AGENT_DATABASE, CAST(? AS VARCHAR) AS AGENT_SCHEMA,
               CAST(? AS VARCHAR) AS AGENT_NAME, CAST(? AS TIMESTAMP_NTZ) AS READ_FROM,
               CAST(? AS INTEGER) AS ROWS_LOADED, CAST(? AS VARCHAR) AS REASON
    ) AS a
) AS r
{{> ingestion/record_success_state.sql}}
