-- One row per agent and UTC hour. TOOL_CALLS and RETRIEVAL_CALLS count the same spans as in
-- THREAD_ACTIVITY and AGENT_METRICS, so hourly rows add up to the agent's totals. Production
-- traffic only (evaluation runs: EVALUATION_RUNS).
-- Exact: a view over the realtime window, computed when read, so nothing is refreshed and exact
-- distinct counts and percentiles cost only this read.
{{expr UNIQUE_THREADS_OF_HOUR = COUNT(DISTINCT THREAD_ID)}}
{{expr UNIQUE_USERS_OF_HOUR = COUNT(DISTINCT USER_ID)}}
{{expr P95_SPAN_DURATION_OF_HOUR = PERCENTILE_CONT(0.95) WITHIN GROUP (ORDER BY SPAN_DURATION_MS)}}
{{> dashboards/hourly_thread_activity_rows.sql}}
