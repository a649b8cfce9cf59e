-- One row per agent and UTC day from the daily rollup, with the day's distinct users and threads
-- as HyperLogLog states in their exported OBJECT form. The dashboard's long windows (beyond the
-- raw history) merge these days: sums add, and distinct users or threads are the estimate of the
-- merged states, HLL_ESTIMATE(HLL_COMBINE(HLL_IMPORT(..))) (average relative error 1.62338 %,
-- docs/distinct-counts.md). A day rolled up before the states existed gets one accumulated from its
-- exact set (as in rollup_period.sql), so every day reads the same way.
-- https://docs.snowflake.com/en/user-guide/querying-approximate-cardinality
WITH LEGACY_USERS AS (
    SELECT r.DAY, r.AGENT_DATABASE, r.AGENT_SCHEMA, r.AGENT_NAME, HLL_EXPORT(HLL_ACCUMULATE(u.VALUE::STRING)) AS USERS_HLL
    FROM {{ref AGENT_DAILY_ROLLUP}} AS r, LATERAL FLATTEN(INPUT => r.USERS) AS u
    WHERE r.USERS_HLL IS NULL
    GROUP BY r.DAY, r.AGENT_DATABASE, r.AGENT_SCHEMA, r.AGENT_NAME
),
LEGACY_THREADS AS (
    SELECT r.DAY, r.AGENT_DATABASE, r.AGENT_SCHEMA, r.AGENT_NAME, HLL_EXPORT(HLL_ACCUMULATE(t.VALUE::STRING)) AS THREADS_HLL
    FROM {{ref AGENT_DAILY_ROLLUP}} AS r, LATERAL FLATTEN(INPUT => r.THREADS) AS t
    WHERE r.THREADS_HLL IS NULL
    GROUP BY r.DAY, r.AGENT_DATABASE, r.AGENT_SCHEMA, r.AGENT_NAME
)
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
    COALESCE(r.USERS_HLL, lu.USERS_HLL) AS USERS_HLL,
    COALESCE(r.THREADS_HLL, lt.THREADS_HLL) AS THREADS_HLL
FROM {{ref AGENT_DAILY_ROLLUP}} AS r
LEFT JOIN LEGACY_USERS AS lu
    ON lu.DAY = r.DAY AND lu.AGENT_DATABASE = r.AGENT_DATABASE
   AND lu.AGENT_SCHEMA = r.AGENT_SCHEMA AND lu.AGENT_NAME = r.AGENT_NAME
LEFT JOIN LEGACY_THREADS AS lt
    ON lt.DAY = r.DAY AND lt.AGENT_DATABASE = r.AGENT_DATABASE
   AND lt.AGENT_SCHEMA = r.AGENT_SCHEMA AND lt.AGENT_NAME = r.AGENT_NAME
