-- Records that one agent's refresh failed; its watermark stays and, its status no longer OK, the
-- next cycle reads from the watermark less the overlap (read_from.sql), which covers the failed
-- window, so nothing is lost. An agent never read before keeps the start of the window its first
-- attempt tried (LAST_READ_FROM), so it reads from there once it recovers.
-- read_from is NULL when the failure came before it was known; reason says why this cycle read
-- per agent.
MERGE INTO {{INGEST_STATE_TABLE}} AS s
USING (
    SELECT CAST({{bind agent_database}} AS VARCHAR) AS AGENT_DATABASE, CAST({{bind agent_schema}} AS VARCHAR) AS AGENT_SCHEMA,
           CAST({{bind agent_name}} AS VARCHAR) AS AGENT_NAME, CAST({{bind error_message}} AS VARCHAR) AS ERROR_MESSAGE,
           CAST({{bind read_from}} AS TIMESTAMP_NTZ) AS READ_FROM, CAST({{bind reason}} AS VARCHAR) AS REASON
) AS r
{{> ingestion/record_failure_state.sql}}
