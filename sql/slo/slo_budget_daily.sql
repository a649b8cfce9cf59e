-- The error budget over each agent objective's window, day by day (the SLO page's burn-down):
-- each day's turns, bad turns and burn rate, and, cumulated from the window's first day, how much
-- of the budget the window so far allows is left (1 - bad turns / ((1 - TARGET) x turns so far)).
-- Today (SOURCE history) is partial, up to now.
-- Production history is read from today's start (window_days.sql), evaluation marks from a margin
-- before that (production_history_from.sql).
{{expr READ_FROM = DATE_TRUNC('day', SYSDATE())}}
WITH CLOCK AS (
    SELECT SYSDATE() AS AS_OF
),
SLO_AGENTS AS (
    {{> slo/agent_objectives.sql}}
),
WINDOW_DAYS AS (
    {{> slo/window_days.sql}}
),
DAILY AS (
    SELECT d.AGENT_DATABASE, d.AGENT_SCHEMA, d.AGENT_NAME, d.OBJECTIVE, s.TARGET, s.WINDOW_DAYS, d.DAY, d.SOURCE,
           d.TURNS, d.TURNS - d.GOOD_TURNS AS BAD_TURNS
    FROM WINDOW_DAYS AS d
    INNER JOIN SLO_AGENTS AS s
        ON s.AGENT_DATABASE = d.AGENT_DATABASE AND s.AGENT_SCHEMA = d.AGENT_SCHEMA AND s.AGENT_NAME = d.AGENT_NAME
       AND s.OBJECTIVE = d.OBJECTIVE
),
CUMULATIVE AS (
    SELECT DAILY.*,
           SUM(TURNS) OVER (PARTITION BY AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, OBJECTIVE
                            ORDER BY DAY ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS CUMULATIVE_TURNS,
           SUM(BAD_TURNS) OVER (PARTITION BY AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, OBJECTIVE
                                ORDER BY DAY ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS CUMULATIVE_BAD_TURNS
    FROM DAILY
)
SELECT
    AGENT_DATABASE || '.' || AGENT_SCHEMA || '.' || AGENT_NAME AS AGENT_FULL_NAME,
    AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, OBJECTIVE, TARGET, WINDOW_DAYS, DAY, SOURCE,
    TURNS, BAD_TURNS,
    BAD_TURNS / NULLIF(TURNS, 0) / (1 - TARGET) AS BURN_RATE,
    CUMULATIVE_TURNS, CUMULATIVE_BAD_TURNS,
    1 - CUMULATIVE_BAD_TURNS / NULLIF((1 - TARGET) * CUMULATIVE_TURNS, 0) AS BUDGET_REMAINING
FROM CUMULATIVE
