-- History rows from READ_FROM on (an expression the including statement defines, an expr
-- definition of lib/sql/template.ts: the start of what it reads, from constants and binds) with the
-- verdict on their whole trace: history.sql's rule, its marks looked for only among the marked
-- rows from READ_FROM less TRACE_MARGIN_DAYS (lib/sql/traceMargin.ts), so that a windowed read reads
-- its window and the marks near it, not every evaluation row of the history. Over the whole
-- history (history.sql) the grouped side reads every marked row of historyDays on each read,
-- since neither DuckDB nor Snowflake can push the including query's filter into a grouped
-- subquery (7,062 rows per realtime view read at 30 days x 200 agents with evaluation runs in the
-- last day only; 30x that with daily runs).
-- The bound: a trace is one agent:run request, and "Requests to the Cortex Agent REST API time
-- out after 15 minutes" (https://docs.snowflake.com/en/user-guide/snowflake-cortex/cortex-agents-run),
-- a background run after 6 hours (https://docs.snowflake.com/release-notes/2026/other/2026-08-30-cortex-agents-async-api-ga),
-- so its spans lie minutes, at most hours, apart; TRACE_MARGIN_DAYS is a wide margin, because the
-- DATA_AGENT_RUN SQL function and the evaluation tooling are documented with no limit. The documented trade-off:
-- a row from READ_FROM on whose trace's only marks lie more than TRACE_MARGIN_DAYS before READ_FROM
-- counts as production here (AGENT_EVENTS_RECENT and the whole-history readers still call it
-- evaluation). The doctor counts such traces on the account (doctor/liveFacts.ts traceSpans).
-- The same rule in a second shape, window_history.sql, serves the readers of a whole window (the
-- realtime views); this shape lets the including query's filters narrow its read of the window.
-- READ_FROM bounds EVENT_TIMESTAMP directly, not through a subquery on a CTE, so that Snowflake
-- can prune micro-partitions by it (https://docs.snowflake.com/en/user-guide/tables-clustering-micropartitions,
-- "Query Pruning": no pruning on a predicate with a subquery).
SELECT
    h.*,
    (COALESCE(h.IS_EVALUATION_EVENT, FALSE) OR t.TRACE_ID IS NOT NULL) AS IS_EVALUATION,
    COALESCE(h.RUN_NAME, t.RUN_NAME) AS EVALUATION_RUN_NAME
FROM {{HISTORY_TABLE}} AS h
LEFT JOIN (
    SELECT AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, TRACE_ID, MAX(RUN_NAME) AS RUN_NAME
    FROM {{HISTORY_TABLE}}
    WHERE IS_EVALUATION_EVENT AND TRACE_ID IS NOT NULL
      AND EVENT_TIMESTAMP >= DATEADD('day', -{{TRACE_MARGIN_DAYS}}, {{expr READ_FROM}})
    GROUP BY AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, TRACE_ID
) AS t
    ON t.AGENT_DATABASE = h.AGENT_DATABASE AND t.AGENT_SCHEMA = h.AGENT_SCHEMA
   AND t.AGENT_NAME = h.AGENT_NAME AND t.TRACE_ID = h.TRACE_ID
WHERE h.EVENT_TIMESTAMP >= {{expr READ_FROM}}
