-- The reference's optional AGENT_USAGE_BY_USER (same names and columns), computed from
-- Wallmonitor's own USER_DAILY_ROLLUP, so it works whichever ingest path runs and covers
-- rollupRetentionDays. One row per agent and user with at least one request. A request is a turn
-- (AGENT_RUN root span) and its response duration the turn's duration; first/last access are the
-- user's first and last event; unique threads (exact: distinct over the days' thread sets) are
-- those of the user's events.
WITH USERS AS (
    SELECT AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, USER_NAME,
           SUM(TURNS) AS TOTAL_REQUESTS,
           MIN(FIRST_ACCESS) AS FIRST_ACCESS_TIME,
           MAX(LAST_ACCESS) AS LAST_ACCESS_TIME,
           SUM(TURN_DURATION_MS_SUM) / NULLIF(SUM(TURN_DURATION_COUNT), 0) AS AVG_RESPONSE_DURATION_MS
    FROM {{ref USER_DAILY_ROLLUP}}
    GROUP BY AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, USER_NAME
    HAVING SUM(TURNS) > 0
),
THREADS AS (
    SELECT r.AGENT_DATABASE, r.AGENT_SCHEMA, r.AGENT_NAME, r.USER_NAME,
           COUNT(DISTINCT t.VALUE::STRING) AS UNIQUE_THREADS
    FROM {{ref USER_DAILY_ROLLUP}} AS r, LATERAL FLATTEN(INPUT => r.THREADS) AS t
    GROUP BY r.AGENT_DATABASE, r.AGENT_SCHEMA, r.AGENT_NAME, r.USER_NAME
)
SELECT
    u.AGENT_NAME,
    u.AGENT_DATABASE,
    u.AGENT_SCHEMA,
    u.USER_NAME,
    u.TOTAL_REQUESTS,
    u.FIRST_ACCESS_TIME,
    u.LAST_ACCESS_TIME,
    u.AVG_RESPONSE_DURATION_MS,
    COALESCE(t.UNIQUE_THREADS, 0) AS UNIQUE_THREADS
FROM USERS AS u
LEFT JOIN THREADS AS t
    ON t.AGENT_DATABASE = u.AGENT_DATABASE AND t.AGENT_SCHEMA = u.AGENT_SCHEMA
   AND t.AGENT_NAME = u.AGENT_NAME AND t.USER_NAME = u.USER_NAME
