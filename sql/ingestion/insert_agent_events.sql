-- Loads one agent's events from READ_FROM onwards into the history, each event exactly once:
-- an event whose key the history already holds (re-read through the overlap, or delivered
-- twice) is skipped. Insert-only, so history rows are never rewritten. The dedupe looks only at
-- history from READ_FROM on (an event key includes the event's timestamp), so its cost follows
-- the rows read, not the history kept.
-- Binds: 1-3 the agent's database, schema and name (recorded on every row);
--        4-6 the same three, for GET_AI_OBSERVABILITY_EVENTS; 7 and 8 READ_FROM (TIMESTAMP_NTZ, UTC).
{{> ingestion/insert_parsed_events.sql}}
FROM (
    WITH SOURCE_EVENTS AS (
        SELECT
            CAST(? AS VARCHAR) AS SOURCE_AGENT_DATABASE,
            CAST(? AS VARCHAR) AS SOURCE_AGENT_SCHEMA,
            CAST(? AS VARCHAR) AS SOURCE_AGENT_NAME,
            -- Whether the function hands text over redacted (the owner lacks READ UNREDACTED AI
            -- OBSERVABILITY EVENTS TABLE): parsed_events.sql then stores no text at all.
            {{SOURCE_TEXT_REDACTED}} AS SOURCE_TEXT_REDACTED,
            e.*
        FROM TABLE(SNOWFLAKE.LOCAL.GET_AI_OBSERVABILITY_EVENTS(?, ?, ?, 'CORTEX AGENT')) AS e
        WHERE e.TIMESTAMP >= CAST(? AS TIMESTAMP_NTZ)
          -- The function already returns Cortex Agent rows only: a row without the attribute is kept.
          AND COALESCE({{> ingestion/is_cortex_agent.sql}}, TRUE)
    )
    {{> ingestion/parsed_events.sql}}
) AS e
WHERE NOT EXISTS (
    SELECT 1 FROM {{HISTORY_TABLE}} AS h
    WHERE h.EVENT_TIMESTAMP >= CAST(? AS TIMESTAMP_NTZ) AND h.EVENT_KEY = e.EVENT_KEY)
