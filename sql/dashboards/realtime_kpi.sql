-- One row: the last hour against the hour before it. A change is NULL when the hour before
-- had nothing to compare with. Production traffic only (evaluation runs: EVALUATION_RUNS).
-- It reads its own two hours of the history (EVENTS, through dashboards/events_from.sql), not
-- AGENT_EVENTS: the trace marks are read once with the window's rows, and an outer filter does not
-- narrow that read, so through AGENT_EVENTS it would read the whole realtime window; and a
-- realtimeWindowHours of 1 would leave the hour before empty.
{{expr READ_FROM = DATEADD('hour', -2, SYSDATE())}}
WITH windowed AS (
    SELECT
        IFF(EVENT_TIMESTAMP >= DATEADD('hour', -1, SYSDATE()), 'CURRENT', 'PREVIOUS') AS WINDOW_NAME,
        THREAD_ID, USER_ID, AGENT_FULL_NAME, SPAN_CATEGORY, TOTAL_TOKENS, SPAN_DURATION_MS, STATUS
    FROM (
        {{> dashboards/events_from.sql}}
    ) AS e
    WHERE NOT IS_EVALUATION
      AND EVENT_TIMESTAMP <= SYSDATE()
),
totals AS (
    SELECT
        WINDOW_NAME,
        COUNT(DISTINCT THREAD_ID) AS ACTIVE_THREADS,
        COUNT(DISTINCT USER_ID) AS ACTIVE_USERS,
        COUNT(DISTINCT AGENT_FULL_NAME) AS ACTIVE_AGENTS,
        COUNT(*) AS TOTAL_EVENTS,
        COUNT_IF(SPAN_CATEGORY = 'LLM_CALL') AS LLM_CALLS,
        COALESCE(SUM(TOTAL_TOKENS), 0) AS TOTAL_TOKENS,
        AVG(SPAN_DURATION_MS) AS AVG_SPAN_DURATION_MS,
        COUNT_IF(STATUS = 'ERROR') AS ERRORS,
        100 * COUNT_IF(STATUS = 'ERROR') / NULLIF(COUNT_IF(STATUS IS NOT NULL), 0) AS ERROR_RATE_PCT
    FROM windowed
    GROUP BY WINDOW_NAME
)
SELECT
    'LAST_HOUR' AS PERIOD,
    COALESCE(c.ACTIVE_THREADS, 0) AS ACTIVE_THREADS,
    COALESCE(c.ACTIVE_USERS, 0) AS ACTIVE_USERS,
    COALESCE(c.ACTIVE_AGENTS, 0) AS ACTIVE_AGENTS,
    COALESCE(c.TOTAL_EVENTS, 0) AS TOTAL_EVENTS,
    COALESCE(c.LLM_CALLS, 0) AS LLM_CALLS,
    COALESCE(c.TOTAL_TOKENS, 0) AS TOTAL_TOKENS,
    c.AVG_SPAN_DURATION_MS,
    COALESCE(c.ERRORS, 0) AS ERRORS,
    c.ERROR_RATE_PCT,
    100 * (COALESCE(c.ACTIVE_THREADS, 0) - p.ACTIVE_THREADS) / NULLIF(p.ACTIVE_THREADS, 0) AS THREADS_CHANGE_PCT,
    100 * (COALESCE(c.LLM_CALLS, 0) - p.LLM_CALLS) / NULLIF(p.LLM_CALLS, 0) AS LLM_CALLS_CHANGE_PCT,
    100 * (COALESCE(c.TOTAL_TOKENS, 0) - p.TOTAL_TOKENS) / NULLIF(p.TOTAL_TOKENS, 0) AS TOKENS_CHANGE_PCT,
    100 * (c.AVG_SPAN_DURATION_MS - p.AVG_SPAN_DURATION_MS) / NULLIF(p.AVG_SPAN_DURATION_MS, 0) AS LATENCY_CHANGE_PCT
FROM (SELECT 1 AS ONE) AS anchor
LEFT JOIN totals AS c ON c.WINDOW_NAME = 'CURRENT'
LEFT JOIN totals AS p ON p.WINDOW_NAME = 'PREVIOUS'
