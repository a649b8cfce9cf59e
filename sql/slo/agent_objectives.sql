-- Each active agent's objectives: for every objective (availability, latency) the first entry of
-- wallmonitor:slos whose pattern matches DATABASE.SCHEMA.AGENT (LIKE, as agentIncludePattern).
-- An agent no entry matches has no row, so nothing about SLOs is reported or fires for it.
-- QUALIFY keeps the first matching entry (https://docs.snowflake.com/en/sql-reference/constructs/qualify).
SELECT a.AGENT_DATABASE, a.AGENT_SCHEMA, a.AGENT_NAME, o.OBJECTIVE, o.TARGET, o.WINDOW_DAYS, o.THRESHOLD_MS,
       o.AGENT_PATTERN
FROM (
    {{> alerts/active_agents.sql}}
) AS a
INNER JOIN (
    {{> slo/objectives.sql}}
) AS o
    ON a.AGENT_DATABASE || '.' || a.AGENT_SCHEMA || '.' || a.AGENT_NAME LIKE o.AGENT_PATTERN
QUALIFY ROW_NUMBER() OVER (PARTITION BY a.AGENT_DATABASE, a.AGENT_SCHEMA, a.AGENT_NAME, o.OBJECTIVE ORDER BY o.POSITION) = 1
