-- negative_feedback_rate per active agent: negative / all feedback events in the
-- {{WINDOW_MINUTES}} minutes up to AS_OF (bound).
{{expr READ_FROM = DATEADD('minute', -{{WINDOW_MINUTES}}, CAST({{bind as_of}} AS TIMESTAMP_NTZ))}}
WITH clock AS (SELECT CAST({{bind as_of}} AS TIMESTAMP_NTZ) AS AS_OF),
feedback AS (
    SELECT h.AGENT_DATABASE, h.AGENT_SCHEMA, h.AGENT_NAME,
           COUNT(*) AS RATINGS, COUNT_IF(h.FEEDBACK_POSITIVE = FALSE) AS NEGATIVE
    FROM ({{> evaluation/production_history_from.sql}}) AS h, clock AS c
    WHERE h.FEEDBACK_POSITIVE IS NOT NULL
      AND h.EVENT_TIMESTAMP > DATEADD('minute', -{{WINDOW_MINUTES}}, c.AS_OF) AND h.EVENT_TIMESTAMP <= c.AS_OF
    GROUP BY h.AGENT_DATABASE, h.AGENT_SCHEMA, h.AGENT_NAME
)
SELECT 'negative_feedback_rate' AS RULE_NAME, a.AGENT_DATABASE, a.AGENT_SCHEMA, a.AGENT_NAME,
       f.NEGATIVE / NULLIF(f.RATINGS, 0) AS VALUE, COALESCE(f.RATINGS, 0) AS VOLUME, NULL AS BASELINE, NULL AS DETAIL
FROM ({{> alerts/active_agents.sql}}) AS a
LEFT JOIN feedback AS f
    ON f.AGENT_DATABASE = a.AGENT_DATABASE AND f.AGENT_SCHEMA = a.AGENT_SCHEMA AND f.AGENT_NAME = a.AGENT_NAME
