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
{{> ingestion/record_failure_state.sql}}
