-- The event table's Cortex Agent rows that belong to an agent of the including statement's
-- READ_POINTS CTE (its AGENT_DATABASE, AGENT_SCHEMA and AGENT_NAME: registered, active agents),
-- as parsed_events.sql takes SOURCE_EVENTS, with that agent's READ_POINTS row as `r`. Agents are
-- matched on their identity attributes, as GET_AI_OBSERVABILITY_EVENTS matches them. Shared by
-- insert_events_from_event_table.sql (what ingestion loads) and doctor/missed_events.sql (what
-- the doctor counts as missed), so the doctor cannot count other rows than ingestion loads; each
-- appends its own time bounds on e.TIMESTAMP (`AND …`) to the WHERE clause this ends with.
-- Direct reads of the table (AI_OBSERVABILITY_READER) are never redacted:
-- https://docs.snowflake.com/en/sql-reference/local/ai_observability_events
SELECT
    r.AGENT_DATABASE AS SOURCE_AGENT_DATABASE,
    r.AGENT_SCHEMA AS SOURCE_AGENT_SCHEMA,
    r.AGENT_NAME AS SOURCE_AGENT_NAME,
    FALSE AS SOURCE_TEXT_REDACTED,
    e.*
FROM SNOWFLAKE.LOCAL.AI_OBSERVABILITY_EVENTS AS e
INNER JOIN READ_POINTS AS r
    ON e.RECORD_ATTRIBUTES:"snow.ai.observability.database.name"::STRING = r.AGENT_DATABASE
   AND e.RECORD_ATTRIBUTES:"snow.ai.observability.schema.name"::STRING = r.AGENT_SCHEMA
   AND e.RECORD_ATTRIBUTES:"snow.ai.observability.object.name"::STRING = r.AGENT_NAME
WHERE {{> ingestion/is_cortex_agent.sql}}
