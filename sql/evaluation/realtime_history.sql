-- The history rows of the realtime window (realtimeWindowHours) with the verdict on their whole
-- trace: history.sql's rule, its marks looked for only among the marked rows from the window
-- start less TRACE_MARGIN_DAYS (lib/sql/values.ts), so that a read of a realtime view reads the
-- window and the marks near it, not every evaluation row of the history. Over the whole history
-- (history.sql) the grouped side read every marked row of historyDays on each read, since neither
-- DuckDB nor Snowflake can push the window's filter into a grouped subquery (7,062 rows per view
-- read at 30 days x 200 agents with evaluation runs in the last day only; 30x that with daily runs).
-- The bound: a trace is one agent:run request, and "Requests to the Cortex Agent REST API time
-- out after 15 minutes" (https://docs.snowflake.com/en/user-guide/snowflake-cortex/cortex-agents-run),
-- a background run after 6 hours (https://docs.snowflake.com/release-notes/2026/other/2026-08-30-cortex-agents-async-api-ga),
-- so its spans lie minutes, at most hours, apart; TRACE_MARGIN_DAYS is a wide margin, because the
-- DATA_AGENT_RUN SQL function and the evaluation tooling are documented with no limit. The documented trade-off:
-- a row of the window whose trace's only marks lie more than TRACE_MARGIN_DAYS before the window
-- start counts as production here (AGENT_EVENTS_RECENT still calls it evaluation). The doctor
-- counts such traces on the account (doctor/liveFacts.ts traceSpans).
-- Event timestamps are UTC TIMESTAMP_NTZ, so "now" is SYSDATE() (UTC), not CURRENT_TIMESTAMP().
SELECT
    h.*,
    (COALESCE(h.IS_EVALUATION_EVENT, FALSE) OR t.TRACE_ID IS NOT NULL) AS IS_EVALUATION,
    COALESCE(h.RUN_NAME, t.RUN_NAME) AS EVALUATION_RUN_NAME
FROM {{HISTORY_TABLE}} AS h
LEFT JOIN (
    SELECT AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, TRACE_ID, MAX(RUN_NAME) AS RUN_NAME
    FROM {{HISTORY_TABLE}}
    WHERE IS_EVALUATION_EVENT AND TRACE_ID IS NOT NULL
      AND EVENT_TIMESTAMP >= DATEADD('day', -{{TRACE_MARGIN_DAYS}}, DATEADD('hour', -{{REALTIME_WINDOW_HOURS}}, SYSDATE()))
    GROUP BY AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, TRACE_ID
) AS t
    ON t.AGENT_DATABASE = h.AGENT_DATABASE AND t.AGENT_SCHEMA = h.AGENT_SCHEMA
   AND t.AGENT_NAME = h.AGENT_NAME AND t.TRACE_ID = h.TRACE_ID
WHERE h.EVENT_TIMESTAMP >= DATEADD('hour', -{{REALTIME_WINDOW_HOURS}}, SYSDATE())
