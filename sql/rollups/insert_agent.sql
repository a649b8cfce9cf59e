-- AGENT_DAILY_ROLLUP for the selected days: only mergeable state (sums, counts, MIN/MAX and
-- distinct-count sketches).
--
-- Distinct users and threads are HyperLogLog states, constant in size whatever the traffic (at
-- most 4096 registers; an exact set of a busy agent's threads grows past Snowflake's 128 MB limit
-- for one value). HLL_ACCUMULATE skips NULLs and returns a BINARY state whose format "may change
-- in future versions of Snowflake"; HLL_EXPORT turns it into the documented OBJECT form, which is
-- what Snowflake recommends for long-term storage and what a share carries. Readers merge days
-- with HLL_ESTIMATE(HLL_COMBINE(HLL_IMPORT(..))); the estimate's average relative error is
-- 1.62338 % (docs/distinct-counts.md).
-- https://docs.snowflake.com/en/sql-reference/functions/hll_accumulate
-- https://docs.snowflake.com/en/sql-reference/functions/hll_export
-- https://docs.snowflake.com/en/user-guide/querying-approximate-cardinality
-- The exact USERS and THREADS arrays of days rolled up before are left NULL (never dropped: days
-- older than the history keep them, and readers turn them into states, rollup_period.sql).
INSERT INTO {{ROLLUP_TABLE}} (
    DAY, AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, EVENTS, TURNS, FAILED_TURNS, LLM_CALLS, TOOL_CALLS,
    RETRIEVAL_CALLS, ERROR_COUNT, STATUS_COUNT, PROMPT_TOKENS, COMPLETION_TOKENS, TOTAL_TOKENS,
    TURN_DURATION_MS_SUM, TURN_DURATION_COUNT, FEEDBACK_POSITIVE, FEEDBACK_NEGATIVE, FIRST_EVENT, LAST_EVENT,
    USERS_HLL, THREADS_HLL
)
SELECT
    DAY, AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME,
    COUNT(*),
    COUNT_IF(SPAN_CATEGORY = 'AGENT_RUN'),
    COUNT_IF(SPAN_CATEGORY = 'AGENT_RUN' AND STATUS = 'ERROR'),
    COUNT_IF(SPAN_CATEGORY = 'LLM_CALL'),
    COUNT_IF(SPAN_CATEGORY = 'TOOL_EXECUTION'),
    COUNT_IF(SPAN_CATEGORY = 'RETRIEVAL'),
    COUNT_IF(STATUS = 'ERROR'),
    COUNT_IF(STATUS IS NOT NULL),
    COALESCE(SUM(PROMPT_TOKENS), 0),
    COALESCE(SUM(COMPLETION_TOKENS), 0),
    COALESCE(SUM(TOTAL_TOKENS), 0),
    COALESCE(SUM(IFF(SPAN_CATEGORY = 'AGENT_RUN', SPAN_DURATION_MS, NULL)), 0),
    COUNT(IFF(SPAN_CATEGORY = 'AGENT_RUN', SPAN_DURATION_MS, NULL)),
    COUNT_IF(FEEDBACK_POSITIVE = TRUE),
    COUNT_IF(FEEDBACK_POSITIVE = FALSE),
    MIN(EVENT_TIMESTAMP),
    MAX(EVENT_TIMESTAMP),
    HLL_EXPORT(HLL_ACCUMULATE(COALESCE(USER_NAME, USER_ID))),
    HLL_EXPORT(HLL_ACCUMULATE(THREAD_ID))
FROM (
    {{> rollups/history_of_days.sql}}
) AS h
GROUP BY DAY, AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME
