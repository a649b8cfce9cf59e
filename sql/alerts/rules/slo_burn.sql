-- slo_fast_burn / slo_slow_burn per active agent: multi-window, multi-burn-rate alerting on the
-- agent's service level objectives (https://sre.google/workbook/alerting-on-slos/, "Multiwindow,
-- Multi-Burn-Rate Alerts"). For each objective the burn rate (sql/slo/burn.sql) over the long
-- window ({{WINDOW_MINUTES}} minutes up to AS_OF, bound) and over a short window of a twelfth of
-- it (5 minutes for 1 hour, 30 for 6 hours); VALUE is the lower of the two, so the rule fires only
-- while the long window says the budget is burning fast and the short one says it still is. Of
-- an agent's objectives the one with the highest VALUE is reported (DETAIL names it); VOLUME is
-- its long window's turns. An agent without an objective gets VALUE NULL and never fires.
{{expr READ_FROM = DATEADD('minute', -{{WINDOW_MINUTES}}, CAST({{bind as_of}} AS TIMESTAMP_NTZ))}}
WITH CLOCK AS (
    SELECT CAST({{bind as_of}} AS TIMESTAMP_NTZ) AS AS_OF
),
SLO_AGENTS AS (
    {{> slo/agent_objectives.sql}}
),
BURN_WINDOWS AS (
    SELECT 'long' AS WINDOW_NAME, {{WINDOW_MINUTES}} * 60 AS SECONDS
    UNION ALL
    SELECT 'short', {{WINDOW_MINUTES}} * 5
),
BURN AS (
    {{> slo/burn.sql}}
),
PAIRED AS (
    SELECT l.AS_OF, l.AGENT_DATABASE, l.AGENT_SCHEMA, l.AGENT_NAME, l.OBJECTIVE, l.TURNS AS LONG_TURNS,
           l.BURN_RATE AS LONG_BURN_RATE, s.BURN_RATE AS SHORT_BURN_RATE,
           -- An empty short window confirms nothing: NULL, as Snowflake's LEAST answers for a NULL argument
           -- (https://docs.snowflake.com/en/sql-reference/functions/least); the emulator's LEAST skips NULLs.
           IFF(l.BURN_RATE IS NULL OR s.BURN_RATE IS NULL, NULL, LEAST(l.BURN_RATE, s.BURN_RATE)) AS CONFIRMED_BURN_RATE
    FROM BURN AS l
    INNER JOIN BURN AS s
        ON s.AS_OF = l.AS_OF AND s.AGENT_DATABASE = l.AGENT_DATABASE AND s.AGENT_SCHEMA = l.AGENT_SCHEMA
       AND s.AGENT_NAME = l.AGENT_NAME AND s.OBJECTIVE = l.OBJECTIVE AND s.WINDOW_NAME = 'short'
    WHERE l.WINDOW_NAME = 'long'
),
WORST AS (
    SELECT *
    FROM PAIRED
    QUALIFY ROW_NUMBER() OVER (PARTITION BY AS_OF, AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME
                               ORDER BY CONFIRMED_BURN_RATE DESC NULLS LAST, OBJECTIVE) = 1
)
SELECT {{RULE_NAME}} AS RULE_NAME, a.AGENT_DATABASE, a.AGENT_SCHEMA, a.AGENT_NAME,
       w.CONFIRMED_BURN_RATE AS VALUE, COALESCE(w.LONG_TURNS, 0) AS VOLUME, NULL AS BASELINE,
       IFF(w.OBJECTIVE IS NULL, NULL,
           w.OBJECTIVE || ' objective: burn rate ' || COALESCE(TO_VARCHAR(ROUND(w.LONG_BURN_RATE, 1)), 'n/a') || 'x over '
           || TO_VARCHAR({{WINDOW_MINUTES}}) || ' min, ' || COALESCE(TO_VARCHAR(ROUND(w.SHORT_BURN_RATE, 1)), 'n/a')
           || 'x over the last ' || TO_VARCHAR(CAST({{WINDOW_MINUTES}} / 12 AS INTEGER)) || ' min') AS DETAIL
FROM CLOCK AS c
CROSS JOIN ({{> alerts/active_agents.sql}}) AS a
LEFT JOIN WORST AS w
    ON w.AS_OF = c.AS_OF AND w.AGENT_DATABASE = a.AGENT_DATABASE AND w.AGENT_SCHEMA = a.AGENT_SCHEMA
   AND w.AGENT_NAME = a.AGENT_NAME
