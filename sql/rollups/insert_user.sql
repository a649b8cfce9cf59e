-- USER_DAILY_ROLLUP for the selected days: each user's events. The user is the reference's
-- user id: the login name, else the numeric id; events with neither are left out of the
-- per-user rollup (they still count in AGENT_DAILY_ROLLUP). TURNS counts requests (AGENT_RUN
-- root spans) and the durations are theirs; tokens come from the user's LLM calls; first/last
-- access are the user's first and last event of the day. The user's distinct threads are a
-- HyperLogLog state in its exported OBJECT form, as in insert_agent.sql (which says why).
INSERT INTO {{ROLLUP_TABLE}} (
    DAY, AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, USER_NAME, TURNS, FAILED_TURNS, TOTAL_TOKENS,
    TURN_DURATION_MS_SUM, TURN_DURATION_COUNT, FIRST_ACCESS, LAST_ACCESS, THREADS_HLL
)
SELECT
    DAY, AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, COALESCE(USER_NAME, USER_ID),
    COUNT_IF(SPAN_CATEGORY = 'AGENT_RUN'),
    COUNT_IF(SPAN_CATEGORY = 'AGENT_RUN' AND STATUS = 'ERROR'),
    COALESCE(SUM(TOTAL_TOKENS), 0),
    COALESCE(SUM(IFF(SPAN_CATEGORY = 'AGENT_RUN', SPAN_DURATION_MS, NULL)), 0),
    COUNT(IFF(SPAN_CATEGORY = 'AGENT_RUN', SPAN_DURATION_MS, NULL)),
    MIN(EVENT_TIMESTAMP),
    MAX(EVENT_TIMESTAMP),
    HLL_EXPORT(HLL_ACCUMULATE(THREAD_ID))
FROM (
    {{> rollups/history_of_days.sql}}
) AS h
WHERE COALESCE(USER_NAME, USER_ID) IS NOT NULL
GROUP BY DAY, AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, COALESCE(USER_NAME, USER_ID)
