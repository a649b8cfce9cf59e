-- latency_p95 / latency_p99 per active agent: the exact percentile {{PERCENTILE}} of turn
-- latency (AGENT_RUN root spans, ms) ending in the {{WINDOW_MINUTES}} minutes up to AS_OF (bound).
{{expr READ_FROM = DATEADD('minute', -{{WINDOW_MINUTES}}, CAST({{bind as_of}} AS TIMESTAMP_NTZ))}}
WITH clock AS (SELECT CAST({{bind as_of}} AS TIMESTAMP_NTZ) AS AS_OF),
turns AS (
    SELECT h.AGENT_DATABASE, h.AGENT_SCHEMA, h.AGENT_NAME, COUNT(h.SPAN_DURATION_MS) AS TURNS,
           PERCENTILE_CONT({{PERCENTILE}}) WITHIN GROUP (ORDER BY h.SPAN_DURATION_MS) AS LATENCY_MS
    FROM ({{> evaluation/production_history_from.sql}}) AS h, clock AS c
    WHERE h.SPAN_CATEGORY = 'AGENT_RUN'
      AND h.EVENT_TIMESTAMP > DATEADD('minute', -{{WINDOW_MINUTES}}, c.AS_OF) AND h.EVENT_TIMESTAMP <= c.AS_OF
    GROUP BY h.AGENT_DATABASE, h.AGENT_SCHEMA, h.AGENT_NAME
)
SELECT {{RULE_NAME}} AS RULE_NAME, a.AGENT_DATABASE, a.AGENT_SCHEMA, a.AGENT_NAME,
       t.LATENCY_MS AS VALUE, COALESCE(t.TURNS, 0) AS VOLUME, NULL AS BASELINE, NULL AS DETAIL
FROM ({{> alerts/active_agents.sql}}) AS a
LEFT JOIN turns AS t
    ON t.AGENT_DATABASE = a.AGENT_DATABASE AND t.AGENT_SCHEMA = a.AGENT_SCHEMA AND t.AGENT_NAME = a.AGENT_NAME
