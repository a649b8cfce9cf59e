-- The stack's service level objectives (wallmonitor:slos, rendered: fixed for a deployment), one
-- row per agent pattern and objective; TARGET is a fraction. Without objectives the list holds
-- one placeholder row of NULLs, filtered out here.
SELECT
    o.POSITION::INTEGER AS POSITION,
    o.AGENT_PATTERN::STRING AS AGENT_PATTERN,
    o.OBJECTIVE::STRING AS OBJECTIVE,
    o.TARGET::FLOAT AS TARGET,
    o.WINDOW_DAYS::INTEGER AS WINDOW_DAYS,
    o.THRESHOLD_MS::INTEGER AS THRESHOLD_MS
FROM (VALUES
    {{SLO_OBJECTIVE_ROWS}}
) AS o (POSITION, AGENT_PATTERN, OBJECTIVE, TARGET, WINDOW_DAYS, THRESHOLD_MS)
WHERE o.AGENT_PATTERN IS NOT NULL
