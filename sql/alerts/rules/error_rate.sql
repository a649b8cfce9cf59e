-- error_rate per active agent: failed turns / turns (AGENT_RUN root spans) ending in the
-- {{WINDOW_MINUTES}} minutes up to the evaluation time (AS_OF, bound).
-- Every row: RULE_NAME, the agent, VALUE (NULL: no data), VOLUME, BASELINE, DETAIL.
{{expr READ_FROM = DATEADD('minute', -{{WINDOW_MINUTES}}, CAST({{bind as_of}} AS TIMESTAMP_NTZ))}}
WITH clock AS (SELECT CAST({{bind as_of}} AS TIMESTAMP_NTZ) AS AS_OF),
turns AS (
    SELECT h.AGENT_DATABASE, h.AGENT_SCHEMA, h.AGENT_NAME,
           COUNT(*) AS TURNS, COUNT_IF(h.STATUS = 'ERROR') AS FAILED
    FROM ({{> evaluation/production_history_from.sql}}) AS h, clock AS c
    WHERE h.SPAN_CATEGORY = 'AGENT_RUN'
      AND h.EVENT_TIMESTAMP > DATEADD('minute', -{{WINDOW_MINUTES}}, c.AS_OF) AND h.EVENT_TIMESTAMP <= c.AS_OF
    GROUP BY h.AGENT_DATABASE, h.AGENT_SCHEMA, h.AGENT_NAME
)
SELECT 'error_rate' AS RULE_NAME, a.AGENT_DATABASE, a.AGENT_SCHEMA, a.AGENT_NAME,
       t.FAILED / NULLIF(t.TURNS, 0) AS VALUE, COALESCE(t.TURNS, 0) AS VOLUME, NULL AS BASELINE, NULL AS DETAIL
FROM ({{> alerts/active_agents.sql}}) AS a
LEFT JOIN turns AS t
    ON t.AGENT_DATABASE = a.AGENT_DATABASE AND t.AGENT_SCHEMA = a.AGENT_SCHEMA AND t.AGENT_NAME = a.AGENT_NAME
