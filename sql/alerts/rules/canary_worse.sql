-- canary_worse per active agent: over the turns ending in the {{WINDOW_MINUTES}} minutes up to AS_OF
-- (bound), the agent's default comparison (versions/default_pairs.sql) judged as VERSION_COMPARISON
-- judges it (versions/compare.sql). VALUE counts the metrics that matter on which the candidate is
-- worse (NULL: no pair to compare); VOLUME is the candidate's turns; DETAIL names the pair and metrics.
{{expr READ_FROM = DATEADD('hour', -1, DATEADD('minute', -{{WINDOW_MINUTES}}, CAST({{bind as_of}} AS TIMESTAMP_NTZ)))}}
WITH clock AS (SELECT CAST({{bind as_of}} AS TIMESTAMP_NTZ) AS AS_OF),
turn_window AS (SELECT DATEADD('minute', -{{WINDOW_MINUTES}}, k.AS_OF) AS FROM_TS, k.AS_OF AS TO_TS FROM clock AS k),
turns AS (
    SELECT t.* FROM ({{> versions/turns.sql}}) AS t WHERE t.VERSION_NAME IS NOT NULL
),
pairs AS (
    {{> versions/default_pairs.sql}}
),
{{> versions/compare.sql}},
judged AS (
    SELECT c.AGENT_DATABASE, c.AGENT_SCHEMA, c.AGENT_NAME,
           MAX(c.CANDIDATE_TURNS) AS CANDIDATE_TURNS,
           SUM(IFF(c.METRIC IN ('error_rate', 'latency_p95_ms', 'negative_feedback_rate') AND c.VERDICT = 'worse', 1, 0)) AS WORSE,
           MAX(c.CANDIDATE_VERSION) || ' vs ' || MAX(c.BASELINE_VERSION) || ':'
               || MAX(IFF(c.METRIC = 'error_rate' AND c.VERDICT = 'worse', ' error rate worse', ''))
               || MAX(IFF(c.METRIC = 'latency_p95_ms' AND c.VERDICT = 'worse', ' latency worse', ''))
               || MAX(IFF(c.METRIC = 'negative_feedback_rate' AND c.VERDICT = 'worse', ' negative feedback worse', ''))
               || ' (overall ' || MAX(c.OVERALL_VERDICT) || ')' AS DETAIL
    FROM comparison AS c
    GROUP BY c.AGENT_DATABASE, c.AGENT_SCHEMA, c.AGENT_NAME
)
SELECT 'canary_worse' AS RULE_NAME, a.AGENT_DATABASE, a.AGENT_SCHEMA, a.AGENT_NAME,
       j.WORSE AS VALUE, COALESCE(j.CANDIDATE_TURNS, 0) AS VOLUME, NULL AS BASELINE, j.DETAIL
FROM ({{> alerts/active_agents.sql}}) AS a
LEFT JOIN judged AS j
    ON j.AGENT_DATABASE = a.AGENT_DATABASE AND j.AGENT_SCHEMA = a.AGENT_SCHEMA AND j.AGENT_NAME = a.AGENT_NAME
