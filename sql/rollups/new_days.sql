-- Where the marks of the new rows' traces can lie: from TRACE_MARGIN_DAYS (lib/sql/traceMargin.ts)
-- before their first day to TRACE_MARGIN_DAYS after the end of their last, in whole UTC days
-- (NULLs when there are no new rows). find_delta.sql takes them as binds,
-- which prune its scan of ROLLUP_MERGED_TRACES; bounds computed inside it (a subquery over the
-- new rows, or a join with their days) read every day's marked traces.
SELECT DATEADD('day', -{{TRACE_MARGIN_DAYS}}, MIN(DAY)) AS NEAR_FROM, DATEADD('day', {{TRACE_MARGIN_DAYS}} + 1, MAX(DAY)) AS NEAR_UNTIL
FROM {{NEW_TRACES_TABLE}}
