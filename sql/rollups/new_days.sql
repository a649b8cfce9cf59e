-- Where the marks of the new rows' traces can lie: from the day before their first day to two
-- days after their last, whole UTC days around TRACE_MARGIN_DAYS (lib/sql/traceMargin.ts) (NULLs when
-- there are no new rows). find_delta.sql takes them as binds,
-- which prune its scan of ROLLUP_MERGED_TRACES; bounds computed inside it (a subquery over the
-- new rows, or a join with their days) read every day's marked traces.
SELECT DATEADD('day', -1, MIN(DAY)) AS NEAR_FROM, DATEADD('day', 2, MAX(DAY)) AS NEAR_UNTIL
FROM {{NEW_TRACES_TABLE}}
