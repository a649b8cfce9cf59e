-- One row per agent and UTC day from the daily rollup, with the day's exact distinct sets of
-- users and threads. The dashboard's long windows (beyond the raw history) merge these days:
-- sums add, and distinct users or threads are counted over the flattened sets, so a 90-day or
-- 12-month figure is the one the raw events would give.
SELECT
    r.DAY,
    r.AGENT_DATABASE || '.' || r.AGENT_SCHEMA || '.' || r.AGENT_NAME AS AGENT_FULL_NAME,
    r.EVENTS,
    r.TURNS,
    r.FAILED_TURNS,
    r.LLM_CALLS,
    r.TOOL_CALLS,
    r.RETRIEVAL_CALLS,
    r.ERROR_COUNT,
    r.PROMPT_TOKENS,
    r.COMPLETION_TOKENS,
    r.TOTAL_TOKENS,
    r.TURN_DURATION_MS_SUM,
    r.TURN_DURATION_COUNT,
    r.FEEDBACK_POSITIVE,
    r.FEEDBACK_NEGATIVE,
    r.FIRST_EVENT,
    r.LAST_EVENT,
    r.USERS,
    r.THREADS
FROM {{ref AGENT_DAILY_ROLLUP}} AS r
