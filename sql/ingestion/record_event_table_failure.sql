-- Records a failed event-table pass (ingestPath event_table, no fallback) against every active
-- agent, set-based: one pass cannot fail for one agent only. Watermarks stay, and the next cycle
-- reads each agent from its watermark less the overlap (read_from.sql), which covers the failed
-- window; an agent never read keeps the start of its first window.
MERGE INTO {{INGEST_STATE_TABLE}} AS s
USING (
    WITH READ_POINTS AS (
        {{> ingestion/read_points.sql}}
    )
    SELECT p.AGENT_DATABASE, p.AGENT_SCHEMA, p.AGENT_NAME, p.READ_FROM,
           CAST({{bind error_message}} AS VARCHAR) AS ERROR_MESSAGE, CAST({{bind reason}} AS VARCHAR) AS REASON
    FROM READ_POINTS AS p
) AS r
{{> ingestion/record_failure_state.sql}}
