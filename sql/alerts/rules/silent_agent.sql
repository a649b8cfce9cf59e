-- silent_agent per active agent (no-data against its own baseline): when no turn ended in the
-- {{WINDOW_MINUTES}} minutes up to AS_OF (bound), VALUE is the turns the agent had on average in
-- the same minutes of the day over the previous {{BASELINE_DAYS}} days (so a quiet night is not
-- silence); 0 when turns arrived. No baseline (history shorter than {{BASELINE_DAYS}} days): no value.
{{expr READ_FROM = DATEADD('minute', -{{WINDOW_MINUTES}}, DATEADD('day', -{{BASELINE_DAYS}}, CAST({{bind as_of}} AS TIMESTAMP_NTZ)))}}
WITH clock AS (SELECT CAST({{bind as_of}} AS TIMESTAMP_NTZ) AS AS_OF),
history AS (
    SELECT h.AGENT_DATABASE, h.AGENT_SCHEMA, h.AGENT_NAME,
           COUNT_IF(h.EVENT_TIMESTAMP > DATEADD('minute', -{{WINDOW_MINUTES}}, c.AS_OF)) AS TURNS_NOW,
           COUNT_IF(h.EVENT_TIMESTAMP <= DATEADD('day', -1, c.AS_OF)
                    AND MOD(DATEDIFF('minute', h.EVENT_TIMESTAMP, c.AS_OF), 1440) < {{WINDOW_MINUTES}}) AS TURNS_BEFORE,
           MIN(h.EVENT_TIMESTAMP) AS FIRST_TURN
    FROM ({{> evaluation/production_history_from.sql}}) AS h, clock AS c
    WHERE h.SPAN_CATEGORY = 'AGENT_RUN'
      AND h.EVENT_TIMESTAMP > DATEADD('minute', -{{WINDOW_MINUTES}}, DATEADD('day', -{{BASELINE_DAYS}}, c.AS_OF))
      AND h.EVENT_TIMESTAMP <= c.AS_OF
    GROUP BY h.AGENT_DATABASE, h.AGENT_SCHEMA, h.AGENT_NAME
),
expected AS (
    SELECT s.*, IFF(s.FIRST_TURN <= DATEADD('minute', -{{WINDOW_MINUTES}}, DATEADD('day', -({{BASELINE_DAYS}} - 1), c.AS_OF)),
                    s.TURNS_BEFORE / {{BASELINE_DAYS}}, NULL) AS EXPECTED_TURNS
    FROM history AS s, clock AS c
)
SELECT 'silent_agent' AS RULE_NAME, a.AGENT_DATABASE, a.AGENT_SCHEMA, a.AGENT_NAME,
       IFF(e.TURNS_NOW = 0, e.EXPECTED_TURNS, IFF(e.EXPECTED_TURNS IS NULL, NULL, 0)) AS VALUE,
       COALESCE(e.TURNS_NOW, 0) AS VOLUME, e.EXPECTED_TURNS AS BASELINE, NULL AS DETAIL
FROM ({{> alerts/active_agents.sql}}) AS a
LEFT JOIN expected AS e
    ON e.AGENT_DATABASE = a.AGENT_DATABASE AND e.AGENT_SCHEMA = a.AGENT_SCHEMA AND e.AGENT_NAME = a.AGENT_NAME
