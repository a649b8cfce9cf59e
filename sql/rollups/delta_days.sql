-- The new rows' span of days, their count (advance_load_state.sql), and where the traces of their evaluation marks can lie: from
-- TRACE_MARGIN_DAYS (lib/sql/traceMargin.ts) before the first day with new evaluation rows to
-- TRACE_MARGIN_DAYS after the end of the last, in whole UTC days (NULLs when there are none). find_full_days.sql and find_merge_days.sql take them as binds, which prune their
-- scans (bounds computed inside a statement, by a join or a subquery, left a scan unbounded).
-- Read from the per-day summary (summarize_delta.sql): a row per day.
SELECT
    DATEADD('day', -{{TRACE_MARGIN_DAYS}}, MIN(IFF(HAS_EVALUATION, DAY, NULL))) AS MARKS_FROM,
    DATEADD('day', {{TRACE_MARGIN_DAYS}} + 1, MAX(IFF(HAS_EVALUATION, DAY, NULL))) AS MARKS_UNTIL,
    MIN(DAY) AS FIRST_NEW_DAY,
    COALESCE(SUM(EVENTS), 0) AS NEW_ROWS
FROM {{DELTA_DAYS_TABLE}}
