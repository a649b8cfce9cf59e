-- Adds the agents SHOW AGENTS reported (the scratch table) that match the patterns to the
-- registry, and stamps the ones already there (register_agents.sql).
-- The patterns and auto_activate are DISCOVER_AGENTS' arguments; a NULL exclude_pattern excludes nothing.
MERGE INTO {{REGISTRY_TABLE}} AS r
USING (
    SELECT DISTINCT d.AGENT_DATABASE, d.AGENT_SCHEMA, d.AGENT_NAME, p.INCLUDE_PATTERN, p.EXCLUDE_PATTERN, p.ACTIVATE,
           'DISCOVERY' AS REGISTERED_BY
    FROM {{DISCOVERED_TABLE}} AS d
    CROSS JOIN (
        SELECT CAST({{bind include_pattern}} AS VARCHAR) AS INCLUDE_PATTERN, CAST({{bind exclude_pattern}} AS VARCHAR) AS EXCLUDE_PATTERN, CAST({{bind auto_activate}} AS BOOLEAN) AS ACTIVATE
    ) AS p
    WHERE
        {{> ingestion/agent_pattern_match.sql}}
) AS d
{{> ingestion/register_agents.sql}}
