-- The days a merge cannot bring up to date, to be recomputed in full from the history (with the
-- retention rules of find_days.sql: only whole days, only days the rollup retention keeps):
-- * days rolled up with another rollup definition (ROLLUP_VERSION);
-- * days holding production rows already merged (LOADED_AT up to the merged-through point) of a
--   trace a newly loaded row marks as evaluation: the whole trace is evaluation now
--   (evaluation/history.sql), so those rows must leave the rollups. Traces are looked for within
--   a day of the marks: the bounds are binds (delta_days.sql), which the scan is pruned
--   by; bounds computed in the statement (a join, a subquery) left it reading the whole history
--   when there was no mark at all.
-- The merged-through point is compared as stored, the bind only bounding a scan (find_delta.sql
-- says why).
-- New rows of these days are not merged (find_merge_days.sql leaves the days out): the recompute
-- reads them.
CREATE OR REPLACE TEMPORARY TABLE {{CANDIDATES_TABLE}} AS
WITH OLDEST_WHOLE_DAY AS (
    SELECT DATEADD('day', 1, TO_DATE(DATEADD('day', -CAST({{bind history_days}} AS INTEGER), SYSDATE()))) AS DAY
),
OLDEST_KEPT_DAY AS (
    SELECT DATEADD('day', -CAST({{bind rollup_retention_days}} AS INTEGER), TO_DATE(SYSDATE())) AS DAY
),
NEW_MARKS AS (
    SELECT m.AGENT_DATABASE, m.AGENT_SCHEMA, m.AGENT_NAME, m.TRACE_ID, m.EVENT_TIMESTAMP
    FROM {{HISTORY_TABLE}} AS m
    WHERE m.LOADED_AT >= CAST({{bind loaded_through}} AS TIMESTAMP_NTZ)
      AND m.LOADED_AT > (SELECT MAX(LOADED_THROUGH) FROM {{LOAD_STATE_TABLE}})
      AND m.IS_EVALUATION_EVENT AND m.TRACE_ID IS NOT NULL
),
MARKED_DAYS AS (
    SELECT DISTINCT TO_DATE(t.EVENT_TIMESTAMP) AS DAY
    FROM {{HISTORY_TABLE}} AS t
    INNER JOIN NEW_MARKS AS m
        ON t.AGENT_DATABASE = m.AGENT_DATABASE AND t.AGENT_SCHEMA = m.AGENT_SCHEMA
       AND t.AGENT_NAME = m.AGENT_NAME AND t.TRACE_ID = m.TRACE_ID
       AND t.EVENT_TIMESTAMP >= DATEADD('day', -1, TO_DATE(m.EVENT_TIMESTAMP))
       AND t.EVENT_TIMESTAMP < DATEADD('day', 2, TO_DATE(m.EVENT_TIMESTAMP))
    WHERE t.EVENT_TIMESTAMP >= CAST({{bind marks_from}} AS TIMESTAMP_NTZ)
      AND t.EVENT_TIMESTAMP < CAST({{bind marks_until}} AS TIMESTAMP_NTZ)
      AND t.LOADED_AT <= (SELECT MAX(LOADED_THROUGH) FROM {{LOAD_STATE_TABLE}})
      AND NOT COALESCE(t.IS_EVALUATION_EVENT, FALSE)
),
CANDIDATES AS (
    SELECT s.DAY
    FROM {{DAY_STATE_TABLE}} AS s
    WHERE s.ROLLUP_VERSION IS DISTINCT FROM {{ROLLUP_VERSION}}
    UNION
    SELECT DAY FROM MARKED_DAYS
)
SELECT c.DAY
FROM CANDIDATES AS c
CROSS JOIN OLDEST_WHOLE_DAY AS o
CROSS JOIN OLDEST_KEPT_DAY AS k
WHERE c.DAY >= o.DAY AND c.DAY >= k.DAY
