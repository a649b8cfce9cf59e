-- The days the new rows are merged into, with the history row count each day then reflects
-- (what ROLLUP_DAY_STATE had, plus the new rows, evaluation rows included: the count is of
-- history rows, as find_days.sql counts them). Left out: days recomputed in full this run
-- (find_full_days.sql), days the rollup retention has dropped, and days rolled up with another
-- definition that history no longer holds whole (their rollups cannot take rows of this one).
-- A late row on a day raw-history retention has cut into is merged: merging only adds, unlike
-- a recompute from what is left of the day.
-- ROLLUP_DAY_STATE is read from the first new day on (a bind, delta_days.sql), not all of it; the
-- new rows from their per-day summary (summarize_delta.sql).
CREATE OR REPLACE TEMPORARY TABLE {{MERGE_DAYS_TABLE}} AS
SELECT d.DAY, COALESCE(s.HISTORY_ROWS, 0) + d.EVENTS AS HISTORY_ROWS
FROM {{DELTA_DAYS_TABLE}} AS d
LEFT JOIN (
    SELECT DAY, HISTORY_ROWS, ROLLUP_VERSION
    FROM {{DAY_STATE_TABLE}}
    WHERE DAY >= CAST({{bind first_new_day}} AS DATE)
) AS s ON s.DAY = d.DAY
LEFT JOIN {{DAYS_TABLE}} AS f ON f.DAY = d.DAY
WHERE f.DAY IS NULL
  AND d.DAY >= DATEADD('day', -CAST({{bind rollup_retention_days}} AS INTEGER), TO_DATE(SYSDATE()))
  AND (s.DAY IS NULL OR s.ROLLUP_VERSION = {{ROLLUP_VERSION}})
