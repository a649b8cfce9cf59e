-- Registers every Cortex Agent whose events appear in SNOWFLAKE.LOCAL.AI_OBSERVABILITY_EVENTS
-- from READ_FROM on and that matches the stack's patterns (agentIncludePattern,
-- agentExcludePattern), active; stamps the ones already registered (register_agents.sql). The
-- owner role reads the table through SNOWFLAKE.AI_OBSERVABILITY_READER, account-wide, so this
-- finds agents SHOW AGENTS does not list (it lists only agents the role holds a privilege on):
-- https://docs.snowflake.com/en/sql-reference/local/ai_observability_events
-- https://docs.snowflake.com/en/sql-reference/sql/show-agents
-- Agents are identified by the attributes GET_AI_OBSERVABILITY_EVENTS matches on; the object
-- type is compared case-insensitively (live accounts write both `Cortex Agent` and `CORTEX AGENT`),
-- which leaves out Cortex Search logs and External Agents.
-- READ_FROM is a constant so that the scan prunes the table's older micro-partitions.
MERGE INTO {{REGISTRY_TABLE}} AS r
USING (
    SELECT d.AGENT_DATABASE, d.AGENT_SCHEMA, d.AGENT_NAME, p.INCLUDE_PATTERN, p.EXCLUDE_PATTERN, p.ACTIVATE,
           'EVENTS' AS REGISTERED_BY
    FROM (
        SELECT DISTINCT
            e.RECORD_ATTRIBUTES:"snow.ai.observability.database.name"::STRING AS AGENT_DATABASE,
            e.RECORD_ATTRIBUTES:"snow.ai.observability.schema.name"::STRING AS AGENT_SCHEMA,
            e.RECORD_ATTRIBUTES:"snow.ai.observability.object.name"::STRING AS AGENT_NAME
        FROM SNOWFLAKE.LOCAL.AI_OBSERVABILITY_EVENTS AS e
        WHERE e.TIMESTAMP >= CAST({{bind read_from}} AS TIMESTAMP_NTZ)
          AND UPPER(e.RECORD_ATTRIBUTES:"snow.ai.observability.object.type"::STRING) = 'CORTEX AGENT'
    ) AS d
    CROSS JOIN (
        SELECT CAST({{INCLUDE_PATTERN}} AS VARCHAR) AS INCLUDE_PATTERN,
               CAST({{EXCLUDE_PATTERN}} AS VARCHAR) AS EXCLUDE_PATTERN,
               TRUE AS ACTIVATE
    ) AS p
    WHERE d.AGENT_DATABASE IS NOT NULL AND d.AGENT_SCHEMA IS NOT NULL AND d.AGENT_NAME IS NOT NULL
      AND
        {{> ingestion/agent_pattern_match.sql}}
) AS d
{{> ingestion/register_agents.sql}}
