-- One row per agent and UTC hour over the whole history (DT_HOURLY_THREAD_ACTIVITY_RECENT), the
-- columns of HOURLY_THREAD_ACTIVITY. Production traffic only (evaluation runs: EVALUATION_RUNS).
-- INCREMENTAL, so that a refresh costs the hours that changed, not the history: an incremental
-- GROUP BY is refreshed "by recomputing the aggregates for every grouping key that changed"
-- (https://docs.snowflake.com/en/user-guide/dynamic-tables-performance-incremental-operators),
-- here the current hour, and an older one only when a late event or a late evaluation mark lands
-- in it. Exact COUNT(DISTINCT) and PERCENTILE_CONT kept the table FULL: every refresh re-read
-- every event of historyDays. Since 2026-09-23 APPROX_COUNT_DISTINCT and APPROX_PERCENTILE refresh
-- incrementally, "only in the SELECT clause", and "return approximations, not exact results"
-- (https://docs.snowflake.com/release-notes/2026/other/2026-09-23-nondeterministic-agg-incremental-dynamic-tables).
-- So three columns are estimates, every other one is exact:
-- - UNIQUE_THREADS, UNIQUE_USERS: HyperLogLog, average relative error 1.62338 %
--   (https://docs.snowflake.com/en/sql-reference/functions/approx_count_distinct,
--   https://docs.snowflake.com/en/user-guide/querying-approximate-cardinality);
-- - P95_SPAN_DURATION_MS: t-Digest, documented only as "a constant relative error", with
--   "substantial empirical support, but no rigorous proof of any accuracy guarantees"
--   (https://docs.snowflake.com/en/sql-reference/functions/approx_percentile,
--   https://docs.snowflake.com/en/user-guide/querying-approximate-percentile-values).
-- The realtime view HOURLY_THREAD_ACTIVITY stays exact.
{{expr UNIQUE_THREADS_OF_HOUR = APPROX_COUNT_DISTINCT(THREAD_ID)}}
{{expr UNIQUE_USERS_OF_HOUR = APPROX_COUNT_DISTINCT(USER_ID)}}
{{expr P95_SPAN_DURATION_OF_HOUR = APPROX_PERCENTILE(SPAN_DURATION_MS, 0.95)}}
{{> dashboards/hourly_thread_activity_rows.sql}}
