-- One row per agent and objective (wallmonitor:slos) as of now: attainment over the objective's
-- window (window_days.sql: whole days from the rollups, today from history), the error budget
-- (the bad turns the target allows among the window's turns) and how much of it is left (1: none
-- spent; below 0: overspent), and the burn rate over the last 5 minutes, 30 minutes, 1 hour and
-- 6 hours (burn.sql: 1 spends the budget exactly over the window). An agent without an objective
-- has no row.
-- Production history is read from the earlier of today's start (window_days.sql) and the longest
-- burn window's start (burn.sql), evaluation marks from a margin before that (production_history_from.sql).
{{expr LONGEST_BURN_SECONDS = 21600}}
{{expr READ_FROM = LEAST(DATE_TRUNC('day', SYSDATE()), DATEADD('second', -{{expr LONGEST_BURN_SECONDS}}, SYSDATE()))}}
WITH CLOCK AS (
    SELECT SYSDATE() AS AS_OF
),
SLO_AGENTS AS (
    {{> slo/agent_objectives.sql}}
),
BURN_WINDOWS AS (
    SELECT w.WINDOW_NAME::STRING AS WINDOW_NAME, w.SECONDS::INTEGER AS SECONDS
    FROM (VALUES ('5m', 300), ('30m', 1800), ('1h', 3600), ('6h', {{expr LONGEST_BURN_SECONDS}})) AS w (WINDOW_NAME, SECONDS)
),
WINDOW_DAYS AS (
    {{> slo/window_days.sql}}
),
TOTALS AS (
    SELECT AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, OBJECTIVE, SUM(TURNS) AS TURNS, SUM(GOOD_TURNS) AS GOOD_TURNS
    FROM WINDOW_DAYS
    GROUP BY AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, OBJECTIVE
),
BURN AS (
    {{> slo/burn.sql}}
),
BURN_BY_WINDOW AS (
    SELECT AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, OBJECTIVE,
           MAX(IFF(WINDOW_NAME = '5m', BURN_RATE, NULL)) AS BURN_RATE_5M,
           MAX(IFF(WINDOW_NAME = '30m', BURN_RATE, NULL)) AS BURN_RATE_30M,
           MAX(IFF(WINDOW_NAME = '1h', BURN_RATE, NULL)) AS BURN_RATE_1H,
           MAX(IFF(WINDOW_NAME = '6h', BURN_RATE, NULL)) AS BURN_RATE_6H,
           MAX(IFF(WINDOW_NAME = '1h', TURNS, NULL)) AS TURNS_1H
    FROM BURN
    GROUP BY AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, OBJECTIVE
)
SELECT
    s.AGENT_DATABASE || '.' || s.AGENT_SCHEMA || '.' || s.AGENT_NAME AS AGENT_FULL_NAME,
    s.AGENT_DATABASE, s.AGENT_SCHEMA, s.AGENT_NAME,
    s.OBJECTIVE,
    s.TARGET,
    s.THRESHOLD_MS,
    s.WINDOW_DAYS,
    DATEADD('day', 1 - s.WINDOW_DAYS, TO_DATE(c.AS_OF))::DATE AS WINDOW_START,
    c.AS_OF AS EVALUATED_AT,
    COALESCE(t.TURNS, 0) AS WINDOW_TURNS,
    t.GOOD_TURNS,
    t.TURNS - t.GOOD_TURNS AS BAD_TURNS,
    t.GOOD_TURNS / NULLIF(t.TURNS, 0) AS ATTAINMENT,
    (1 - s.TARGET) * t.TURNS AS ERROR_BUDGET_TURNS,
    1 - (t.TURNS - t.GOOD_TURNS) / NULLIF((1 - s.TARGET) * t.TURNS, 0) AS BUDGET_REMAINING,
    b.BURN_RATE_5M, b.BURN_RATE_30M, b.BURN_RATE_1H, b.BURN_RATE_6H,
    COALESCE(b.TURNS_1H, 0) AS TURNS_1H
FROM SLO_AGENTS AS s
CROSS JOIN CLOCK AS c
LEFT JOIN TOTALS AS t
    ON t.AGENT_DATABASE = s.AGENT_DATABASE AND t.AGENT_SCHEMA = s.AGENT_SCHEMA AND t.AGENT_NAME = s.AGENT_NAME
   AND t.OBJECTIVE = s.OBJECTIVE
LEFT JOIN BURN_BY_WINDOW AS b
    ON b.AGENT_DATABASE = s.AGENT_DATABASE AND b.AGENT_SCHEMA = s.AGENT_SCHEMA AND b.AGENT_NAME = s.AGENT_NAME
   AND b.OBJECTIVE = s.OBJECTIVE
