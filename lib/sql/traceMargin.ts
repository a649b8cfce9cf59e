/**
 * How far from a row its trace's evaluation marks are looked for, in days, wherever a read is
 * bounded in time: every reader of sql/evaluation/history_from.sql, which looks for marks from the
 * start of what the reader reads less this margin (the realtime window views through its other
 * shape, window_history.sql; through production_history_from.sql the alert rules over their window or
 * baseline, the SLO burn rates and today's SLO turns, and the version turns), and the rollups'
 * "within a day". A trace is one agent:run request, and "Requests to the Cortex Agent REST API
 * time out after 15 minutes" (https://docs.snowflake.com/en/user-guide/snowflake-cortex/cortex-agents-run);
 * a background run (`background: true`) has "a 6-hour timeout"
 * (https://docs.snowflake.com/release-notes/2026/other/2026-08-30-cortex-agents-async-api-ga). So a trace's spans lie
 * minutes, at most hours, apart; a day is a wide margin, because neither the DATA_AGENT_RUN SQL
 * function nor the evaluation tooling is documented with a limit. The doctor checks it on the
 * account after deploy (doctor/liveFacts.ts traceSpans). The rollup statements (sql/rollups) apply
 * it in whole UTC days, from TRACE_MARGIN_DAYS before the first day to TRACE_MARGIN_DAYS after the
 * end of the last. Readers of the whole history (AGENT_EVENTS_RECENT, the cost
 * views, through history.sql and production_history.sql) need no margin.
 *
 * A module of its own, importing nothing: lib/sql/values.ts (the views' stack values) and
 * lib/sql/sloRows.ts (the values alert rules take) both give it, and values.ts imports sloRows.ts.
 */
export const TRACE_MARGIN_DAYS = 1;
