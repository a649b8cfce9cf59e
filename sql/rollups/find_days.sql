-- Fills the scratch table with the UTC days whose rollups are stale, and each day's current
-- history row count: the full recompute of a run with no merged-through point in
-- ROLLUP_LOAD_STATE (the first run); later runs merge the new rows instead (find_delta.sql). History is insert-only within its retention (inserts dedupe by EVENT_KEY;
-- only apply_retention deletes), so a day changed exactly when its row count changed.
--
-- Candidates are the days of rows loaded since the last rollup run (less an overlap, so that a
-- row whose insert committed after that run started is still seen); of those, only days whose
-- count differs from ROLLUP_DAY_STATE are recomputed: a re-run recomputes nothing.
--
-- Days that retention may already have cut into are never recomputed: history keeps events
-- from SYSDATE() - historyDays on, so only days from the day after that one are whole, and a
-- rollup recomputed from part of a day would lose the expired part.
-- Days rolled up with another rollup definition (ROLLUP_VERSION) are candidates too, so a
-- changed definition reaches every day history still holds; older days keep theirs.
-- Nor are days the rollup retention has dropped (when history is kept longer than rollups).
-- An evaluation-marked row makes its whole trace evaluation (evaluation/history.sql), so it changes
-- the rollups of every day its trace has rows on. A day whose row count did not change is still
-- recomputed when a marked row loaded since the last run shares a trace with its rows (a trace
-- across midnight, or marks delayed past it); traces are looked for within a day of the mark
-- (TRACE_MARGIN_DAYS, lib/sql/traceMargin.ts: the one margin every time-bounded mark lookup uses).
--
-- Every read of the history is bounded by a join on a plain column, not a filter with a subquery
-- or an OR: new rows by LOADED_AT (rows are appended in load order, so LOADED_AT ranges prune
-- micro-partitions, as in ingestion/cycle_spans.sql), marked traces by EVENT_TIMESTAMP within a
-- day of the new marks. Bounded by filters applied over the whole table instead, it read the
-- whole history, three times (5,952 rows at 1 day of history, 19,472 at 7, against
-- 3,514 and 3,704 now, in test_rollup_reads.py's setting). Ingestion stamps every row's
-- LOADED_AT (ingestion/insert_parsed_events.sql), so the first run, with no ROLLUP_DAY_STATE,
-- compares with 1970 and takes every row.
CREATE OR REPLACE TEMPORARY TABLE {{DAYS_TABLE}} AS
WITH LAST_RUN AS (
    SELECT COALESCE(DATEADD('minute', -{{OVERLAP_MINUTES}}, MAX(ROLLED_UP_AT)), CAST('1970-01-01' AS TIMESTAMP_NTZ)) AS LOADED_AFTER
    FROM {{DAY_STATE_TABLE}}
),
OLDEST_WHOLE_DAY AS (
    SELECT DATEADD('day', 1, TO_DATE(DATEADD('day', -CAST({{bind history_days}} AS INTEGER), SYSDATE()))) AS DAY
),
OLDEST_KEPT_DAY AS (
    SELECT DATEADD('day', -CAST({{bind rollup_retention_days}} AS INTEGER), TO_DATE(SYSDATE())) AS DAY
),
NEW_MARKS AS (
    SELECT m.AGENT_DATABASE, m.AGENT_SCHEMA, m.AGENT_NAME, m.TRACE_ID, m.EVENT_TIMESTAMP
    FROM {{HISTORY_TABLE}} AS m
    INNER JOIN LAST_RUN AS r ON m.LOADED_AT > r.LOADED_AFTER
    WHERE m.IS_EVALUATION_EVENT AND m.TRACE_ID IS NOT NULL
),
MARK_WINDOW AS (
    SELECT DATEADD('day', -{{TRACE_MARGIN_DAYS}}, MIN(TO_DATE(EVENT_TIMESTAMP))) AS FROM_TIME,
           DATEADD('day', {{TRACE_MARGIN_DAYS}} + 1, MAX(TO_DATE(EVENT_TIMESTAMP))) AS TO_TIME
    FROM NEW_MARKS
),
MARKED_DAYS AS (
    SELECT DISTINCT TO_DATE(t.EVENT_TIMESTAMP) AS DAY
    FROM {{HISTORY_TABLE}} AS t
    INNER JOIN MARK_WINDOW AS w ON t.EVENT_TIMESTAMP >= w.FROM_TIME AND t.EVENT_TIMESTAMP < w.TO_TIME
    INNER JOIN NEW_MARKS AS m
        ON t.AGENT_DATABASE = m.AGENT_DATABASE AND t.AGENT_SCHEMA = m.AGENT_SCHEMA
       AND t.AGENT_NAME = m.AGENT_NAME AND t.TRACE_ID = m.TRACE_ID
       AND t.EVENT_TIMESTAMP >= DATEADD('day', -{{TRACE_MARGIN_DAYS}}, TO_DATE(m.EVENT_TIMESTAMP))
       AND t.EVENT_TIMESTAMP < DATEADD('day', {{TRACE_MARGIN_DAYS}} + 1, TO_DATE(m.EVENT_TIMESTAMP))
    CROSS JOIN OLDEST_WHOLE_DAY AS o
    CROSS JOIN OLDEST_KEPT_DAY AS k
    WHERE TO_DATE(t.EVENT_TIMESTAMP) <> TO_DATE(m.EVENT_TIMESTAMP)
      AND t.EVENT_TIMESTAMP >= o.DAY
      AND t.EVENT_TIMESTAMP >= k.DAY
),
CANDIDATES AS (
    SELECT DISTINCT TO_DATE(h.EVENT_TIMESTAMP) AS DAY
    FROM {{HISTORY_TABLE}} AS h
    INNER JOIN LAST_RUN AS r ON h.LOADED_AT > r.LOADED_AFTER
    CROSS JOIN OLDEST_WHOLE_DAY AS o
    CROSS JOIN OLDEST_KEPT_DAY AS k
    WHERE h.EVENT_TIMESTAMP >= o.DAY
      AND h.EVENT_TIMESTAMP >= k.DAY
    UNION
    SELECT s.DAY
    FROM {{DAY_STATE_TABLE}} AS s
    CROSS JOIN OLDEST_WHOLE_DAY AS o
    CROSS JOIN OLDEST_KEPT_DAY AS k
    WHERE s.ROLLUP_VERSION IS DISTINCT FROM {{ROLLUP_VERSION}}
      AND s.DAY >= o.DAY
      AND s.DAY >= k.DAY
    UNION
    SELECT DAY FROM MARKED_DAYS
),
COUNTS AS (
    SELECT TO_DATE(h.EVENT_TIMESTAMP) AS DAY, COUNT(*) AS HISTORY_ROWS
    FROM {{HISTORY_TABLE}} AS h
    WHERE h.EVENT_TIMESTAMP >= (SELECT MIN(DAY) FROM CANDIDATES)
      AND TO_DATE(h.EVENT_TIMESTAMP) IN (SELECT DAY FROM CANDIDATES)
    GROUP BY TO_DATE(h.EVENT_TIMESTAMP)
)
SELECT c.DAY, c.HISTORY_ROWS
FROM COUNTS AS c
LEFT JOIN {{DAY_STATE_TABLE}} AS s ON s.DAY = c.DAY
LEFT JOIN MARKED_DAYS AS md ON md.DAY = c.DAY
WHERE s.DAY IS NULL OR s.HISTORY_ROWS <> c.HISTORY_ROWS OR s.ROLLUP_VERSION IS DISTINCT FROM {{ROLLUP_VERSION}}
   OR md.DAY IS NOT NULL
