-- Records a successful refresh of one agent and moves its watermark to the newest event held.
-- reason says why this cycle read per agent (INGEST_PATH_REASON); read_started is read_from.sql's
-- READ_STARTED, taken before the read.
-- The newest event is looked for from read_from on only, not in the agent's whole history: what
-- the history holds before read_from is no newer than the watermark (every row loaded moved it),
-- and record_success_state.sql keeps the later of the watermark and this. The range on
-- EVENT_TIMESTAMP lets Snowflake prune the history's older micro-partitions, as rows are appended
-- in about event order (https://docs.snowflake.com/en/user-guide/tables-clustering-micropartitions).
MERGE INTO {{INGEST_STATE_TABLE}} AS s
USING (
    SELECT
        a.AGENT_DATABASE, a.AGENT_SCHEMA, a.AGENT_NAME, a.READ_FROM, a.READ_STARTED, a.ROWS_LOADED, a.REASON,
        (SELECT MAX(h.EVENT_TIMESTAMP) FROM {{HISTORY_TABLE}} AS h
          WHERE h.AGENT_DATABASE = a.AGENT_DATABASE
            AND h.AGENT_SCHEMA = a.AGENT_SCHEMA
            AND h.AGENT_NAME = a.AGENT_NAME
            AND h.EVENT_TIMESTAMP >= a.READ_FROM) AS NEWEST_EVENT
    FROM (
        SELECT CAST({{bind agent_database}} AS VARCHAR) AS AGENT_DATABASE, CAST({{bind agent_schema}} AS VARCHAR) AS AGENT_SCHEMA,
               CAST({{bind agent_name}} AS VARCHAR) AS AGENT_NAME, CAST({{bind read_from}} AS TIMESTAMP_NTZ) AS READ_FROM,
               CAST({{bind read_started}} AS TIMESTAMP_NTZ) AS READ_STARTED,
               CAST({{bind rows_loaded}} AS INTEGER) AS ROWS_LOADED, CAST({{bind reason}} AS VARCHAR) AS REASON
    ) AS a
) AS r
{{> ingestion/record_success_state.sql}}
