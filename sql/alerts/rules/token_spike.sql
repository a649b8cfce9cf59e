-- token_spike per active agent: tokens per turn in the {{WINDOW_MINUTES}} minutes up to AS_OF
-- (bound), divided by the agent's own tokens per turn over the {{BASELINE_DAYS}} whole days before
-- AS_OF's day (AGENT_DAILY_ROLLUP). Tokens per turn does not move with traffic volume, so the
-- baseline needs no time-of-day shape; an agent without rollup days has no baseline and no value.
{{expr READ_FROM = DATEADD('minute', -{{WINDOW_MINUTES}}, CAST({{bind as_of}} AS TIMESTAMP_NTZ))}}
WITH clock AS (SELECT CAST({{bind as_of}} AS TIMESTAMP_NTZ) AS AS_OF),
recent AS (
    SELECT h.AGENT_DATABASE, h.AGENT_SCHEMA, h.AGENT_NAME,
           COUNT_IF(h.SPAN_CATEGORY = 'AGENT_RUN') AS TURNS, COALESCE(SUM(h.TOTAL_TOKENS), 0) AS TOKENS
    FROM ({{> evaluation/production_history_from.sql}}) AS h, clock AS c
    WHERE h.EVENT_TIMESTAMP > DATEADD('minute', -{{WINDOW_MINUTES}}, c.AS_OF) AND h.EVENT_TIMESTAMP <= c.AS_OF
    GROUP BY h.AGENT_DATABASE, h.AGENT_SCHEMA, h.AGENT_NAME
),
baseline AS (
    SELECT d.AGENT_DATABASE, d.AGENT_SCHEMA, d.AGENT_NAME, SUM(d.TOTAL_TOKENS) / SUM(d.TURNS) AS TOKENS_PER_TURN
    FROM {{AGENT_ROLLUP}} AS d, clock AS c
    WHERE d.DAY < TO_DATE(c.AS_OF) AND d.DAY >= DATEADD('day', -{{BASELINE_DAYS}}, TO_DATE(c.AS_OF))
    GROUP BY d.AGENT_DATABASE, d.AGENT_SCHEMA, d.AGENT_NAME
    HAVING SUM(d.TURNS) > 0 AND SUM(d.TOTAL_TOKENS) > 0
)
SELECT 'token_spike' AS RULE_NAME, a.AGENT_DATABASE, a.AGENT_SCHEMA, a.AGENT_NAME,
       (r.TOKENS / NULLIF(r.TURNS, 0)) / b.TOKENS_PER_TURN AS VALUE, COALESCE(r.TURNS, 0) AS VOLUME,
       b.TOKENS_PER_TURN AS BASELINE, NULL AS DETAIL
FROM ({{> alerts/active_agents.sql}}) AS a
LEFT JOIN recent AS r
    ON r.AGENT_DATABASE = a.AGENT_DATABASE AND r.AGENT_SCHEMA = a.AGENT_SCHEMA AND r.AGENT_NAME = a.AGENT_NAME
LEFT JOIN baseline AS b
    ON b.AGENT_DATABASE = a.AGENT_DATABASE AND b.AGENT_SCHEMA = a.AGENT_SCHEMA AND b.AGENT_NAME = a.AGENT_NAME
