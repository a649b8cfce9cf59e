-- The days a merge cannot bring up to date, to be recomputed in full from the history (with the
-- retention rules of find_days.sql: only whole days, only days the rollup retention keeps):
-- * days rolled up with another rollup definition (ROLLUP_VERSION);
-- * days holding production rows already merged (LOADED_AT up to the merged-through point) of a
--   trace a newly loaded row marks as evaluation: the whole trace is evaluation now
--   (evaluation/history.sql), so those rows must leave the rollups. Traces are looked for within
--   a day (TRACE_MARGIN_DAYS, lib/sql/traceMargin.ts) of the marks, in ROLLUP_MERGED_TRACES (record_traces.sql: a row per trace and day up to
--   the point, HAS_UNMARKED where rows without a mark of their own were merged), not in the
--   history: the history's rows of those days were every production row of them, some eleven per
--   trace (27,391 rows read at 200 agents x 0.5 turns/h for a cycle whose marks had no merged
--   rows at all). The day bounds are binds (delta_days.sql), which the scan is pruned by; bounds
--   computed in the statement (a join, a subquery) left it reading every day when there was no
--   mark at all.
-- The new marks are the new rows' marked traces (find_new_traces.sql).
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
    SELECT AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, TRACE_ID, DAY
    FROM {{NEW_TRACES_TABLE}}
    WHERE HAS_MARK AND TRACE_ID IS NOT NULL
),
MARKED_DAYS AS (
    SELECT DISTINCT t.DAY
    FROM {{TRACES_TABLE}} AS t
    INNER JOIN NEW_MARKS AS m
        ON t.AGENT_DATABASE = m.AGENT_DATABASE AND t.AGENT_SCHEMA = m.AGENT_SCHEMA
       AND t.AGENT_NAME = m.AGENT_NAME AND t.TRACE_ID = m.TRACE_ID
       AND t.DAY >= DATEADD('day', -{{TRACE_MARGIN_DAYS}}, m.DAY)
       AND t.DAY < DATEADD('day', {{TRACE_MARGIN_DAYS}} + 1, m.DAY)
    WHERE t.DAY >= CAST({{bind marks_from}} AS DATE)
      AND t.DAY < CAST({{bind marks_until}} AS DATE)
      AND t.HAS_UNMARKED
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
