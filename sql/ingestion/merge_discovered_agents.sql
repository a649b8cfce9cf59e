-- Adds the agents SHOW AGENTS reported (the scratch table) that match the patterns to the
-- registry, and stamps the ones already there (register_agents.sql).
-- Binds: 1 include pattern, 2 exclude pattern (NULL excludes nothing), 3 activate new agents.
MERGE INTO {{REGISTRY_TABLE}} AS r
USING (
    SELECT DISTINCT d.AGENT_DATABASE, d.AGENT_SCHEMA, d.AGENT_NAME, p.INCLUDE_PATTERN, p.EXCLUDE_PATTERN, p.ACTIVATE,
           'DISCOVERY' AS REGISTERED_BY
    FROM {{DISCOVERED_TABLE}} AS d
    CROSS JOIN (
        SELECT CAST(? AS VARCHAR) AS INCLUDE_PATTERN, CAST(? AS VARCHAR) AS EXCLUDE_PATTERN, CAST(? AS BOOLEAN) AS ACTIVATE
    ) AS p
    WHERE
        {{> ingestion/agent_pattern_match.sql}}
) AS d
{{> ingestion/register_agents.sql}}
