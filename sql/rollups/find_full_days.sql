-- The days a merge cannot bring up to date, recomputed in full from the history (with the
-- retention rules of find_days.sql: only whole days, only days the rollup retention keeps), and
-- each day's current history row count:
-- * days rolled up with another rollup definition (ROLLUP_VERSION);
-- * days holding production rows already merged (LOADED_AT up to the merged-through point) of a
--   trace a newly loaded row marks as evaluation: the whole trace is evaluation now
--   (evaluation/history.sql), so those rows must leave the rollups. Traces are looked for within
--   a day of the mark, bounded by a range join on EVENT_TIMESTAMP as in find_days.sql.
-- New rows of these days are not merged (find_merge_days.sql leaves the days out): the recompute
-- reads them.
CREATE OR REPLACE TEMPORARY TABLE {{DAYS_TABLE}} AS
WITH OLDEST_WHOLE_DAY AS (
    SELECT DATEADD('day', 1, TO_DATE(DATEADD('day', -CAST({{bind history_days}} AS INTEGER), SYSDATE()))) AS DAY
),
OLDEST_KEPT_DAY AS (
    SELECT DATEADD('day', -CAST({{bind rollup_retention_days}} AS INTEGER), TO_DATE(SYSDATE())) AS DAY
),
NEW_MARKS AS (
    SELECT m.AGENT_DATABASE, m.AGENT_SCHEMA, m.AGENT_NAME, m.TRACE_ID, m.EVENT_TIMESTAMP
    FROM {{HISTORY_TABLE}} AS m
    WHERE m.LOADED_AT > CAST({{bind loaded_through}} AS TIMESTAMP_NTZ)
      AND m.IS_EVALUATION_EVENT AND m.TRACE_ID IS NOT NULL
),
MARK_WINDOW AS (
    SELECT DATEADD('day', -1, MIN(TO_DATE(EVENT_TIMESTAMP))) AS FROM_TIME,
           DATEADD('day', 2, MAX(TO_DATE(EVENT_TIMESTAMP))) AS TO_TIME
    FROM NEW_MARKS
),
MARKED_DAYS AS (
    SELECT DISTINCT TO_DATE(t.EVENT_TIMESTAMP) AS DAY
    FROM {{HISTORY_TABLE}} AS t
    INNER JOIN MARK_WINDOW AS w ON t.EVENT_TIMESTAMP >= w.FROM_TIME AND t.EVENT_TIMESTAMP < w.TO_TIME
    INNER JOIN NEW_MARKS AS m
        ON t.AGENT_DATABASE = m.AGENT_DATABASE AND t.AGENT_SCHEMA = m.AGENT_SCHEMA
       AND t.AGENT_NAME = m.AGENT_NAME AND t.TRACE_ID = m.TRACE_ID
       AND t.EVENT_TIMESTAMP >= DATEADD('day', -1, TO_DATE(m.EVENT_TIMESTAMP))
       AND t.EVENT_TIMESTAMP < DATEADD('day', 2, TO_DATE(m.EVENT_TIMESTAMP))
    WHERE t.LOADED_AT <= CAST({{bind loaded_through}} AS TIMESTAMP_NTZ)
      AND NOT COALESCE(t.IS_EVALUATION_EVENT, FALSE)
),
CANDIDATES AS (
    SELECT s.DAY
    FROM {{DAY_STATE_TABLE}} AS s
    WHERE s.ROLLUP_VERSION IS DISTINCT FROM {{ROLLUP_VERSION}}
    UNION
    SELECT DAY FROM MARKED_DAYS
),
WHOLE_CANDIDATES AS (
    SELECT c.DAY
    FROM CANDIDATES AS c
    CROSS JOIN OLDEST_WHOLE_DAY AS o
    CROSS JOIN OLDEST_KEPT_DAY AS k
    WHERE c.DAY >= o.DAY AND c.DAY >= k.DAY
)
SELECT TO_DATE(h.EVENT_TIMESTAMP) AS DAY, COUNT(*) AS HISTORY_ROWS
FROM {{HISTORY_TABLE}} AS h
WHERE h.EVENT_TIMESTAMP >= (SELECT MIN(DAY) FROM WHOLE_CANDIDATES)
  AND TO_DATE(h.EVENT_TIMESTAMP) IN (SELECT DAY FROM WHOLE_CANDIDATES)
GROUP BY TO_DATE(h.EVENT_TIMESTAMP)
