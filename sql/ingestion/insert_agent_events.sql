-- Loads one agent's events from READ_FROM onwards into the history, each event exactly once:
-- an event whose key the history already holds (re-read through the overlap, or delivered
-- twice) is skipped. Insert-only, so history rows are never rewritten. The dedupe looks only at
-- history from READ_FROM on (an event key includes the event's timestamp), so its cost follows
-- the rows read, not the history kept.
-- The agent's database, schema and name are recorded on every row; read_from is TIMESTAMP_NTZ, UTC.
{{> ingestion/insert_parsed_events.sql}}
FROM (
    WITH SOURCE_EVENTS AS (
        SELECT
            CAST({{bind agent_database}} AS VARCHAR) AS SOURCE_AGENT_DATABASE,
            CAST({{bind agent_schema}} AS VARCHAR) AS SOURCE_AGENT_SCHEMA,
            CAST({{bind agent_name}} AS VARCHAR) AS SOURCE_AGENT_NAME,
            -- Whether the function hands text over redacted (the owner lacks READ UNREDACTED AI
            -- OBSERVABILITY EVENTS TABLE): parsed_events.sql then stores no text at all.
            {{SOURCE_TEXT_REDACTED}} AS SOURCE_TEXT_REDACTED,
            e.*
        FROM TABLE(SNOWFLAKE.LOCAL.GET_AI_OBSERVABILITY_EVENTS({{bind agent_database}}, {{bind agent_schema}}, {{bind agent_name}}, 'CORTEX AGENT')) AS e
        WHERE e.TIMESTAMP >= CAST({{bind read_from}} AS TIMESTAMP_NTZ)
          -- The function already returns Cortex Agent rows only: a row without the attribute is kept.
          AND COALESCE({{> ingestion/is_cortex_agent.sql}}, TRUE)
    )
    {{> ingestion/parsed_events.sql}}
) AS e
WHERE NOT EXISTS (
    SELECT 1 FROM {{HISTORY_TABLE}} AS h
    WHERE h.EVENT_TIMESTAMP >= CAST({{bind read_from}} AS TIMESTAMP_NTZ) AND h.EVENT_KEY = e.EVENT_KEY)
