-- The rows of a whole window from READ_FROM on (an expression the including statement defines: its
-- window's start) with the verdict on their whole trace: the rule and the bound of history_from.sql
-- (marks looked for from READ_FROM less TRACE_MARGIN_DAYS; the documentation and the trade-off are
-- there), in a shape for a reader that uses the whole window, as the realtime views do
-- (dashboards/events_from.sql). The window's rows are read once: WINDOW_ROWS is a CTE read twice,
-- which DuckDB computes once; that Snowflake does too is not documented, so npm run doctor checks
-- it on the account (doctor/liveFacts.ts realtimePlan; inlined, the read is as correct, only not
-- cheaper). The window's own marks come from the CTE; only the marked rows of the strip before
-- the window, from READ_FROM less TRACE_MARGIN_DAYS up to READ_FROM, are read again from the table. history_from.sql reads the marks of the window a second time, but
-- lets the including query's filters (a span category, a shorter period) narrow its read of the
-- window, which a CTE read twice does not: so readers that keep a few rows of their window (the
-- alert rules, the SLO and version readers) go through history_from.sql, and a reader here sets
-- READ_FROM to the start of what it uses (REALTIME_KPI reads its own two hours). Within the margin
-- both give history.sql's verdict (test/sql/test_realtime_marks.py, test_alert_marks.py). At 30
-- days x 200 agents this shape reads 49,906 rows per realtime read where history_from.sql read
-- 60,573 (npm run benchmark).
-- READ_FROM bounds EVENT_TIMESTAMP directly, not through a subquery on a CTE, so that Snowflake
-- can prune micro-partitions by it (https://docs.snowflake.com/en/user-guide/tables-clustering-micropartitions,
-- "Query Pruning": no pruning on a predicate with a subquery).
WITH window_rows AS (
    SELECT * FROM {{HISTORY_TABLE}} WHERE EVENT_TIMESTAMP >= {{expr READ_FROM}}
),
trace_marks AS (
    SELECT AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, TRACE_ID, MAX(RUN_NAME) AS RUN_NAME
    FROM (
        SELECT AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, TRACE_ID, RUN_NAME
        FROM window_rows
        WHERE IS_EVALUATION_EVENT AND TRACE_ID IS NOT NULL
        UNION ALL
        SELECT AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, TRACE_ID, RUN_NAME
        FROM {{HISTORY_TABLE}}
        WHERE IS_EVALUATION_EVENT AND TRACE_ID IS NOT NULL
          AND EVENT_TIMESTAMP >= DATEADD('day', -{{TRACE_MARGIN_DAYS}}, {{expr READ_FROM}})
          AND EVENT_TIMESTAMP < {{expr READ_FROM}}
    ) AS m
    GROUP BY AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, TRACE_ID
)
SELECT
    h.*,
    (COALESCE(h.IS_EVALUATION_EVENT, FALSE) OR t.TRACE_ID IS NOT NULL) AS IS_EVALUATION,
    COALESCE(h.RUN_NAME, t.RUN_NAME) AS EVALUATION_RUN_NAME
FROM window_rows AS h
LEFT JOIN trace_marks AS t
    ON t.AGENT_DATABASE = h.AGENT_DATABASE AND t.AGENT_SCHEMA = h.AGENT_SCHEMA
   AND t.AGENT_NAME = h.AGENT_NAME AND t.TRACE_ID = h.TRACE_ID
