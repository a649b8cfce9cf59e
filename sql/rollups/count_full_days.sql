-- The days find_full_days.sql selected that history holds, with their current row counts. The
-- range is bound (first_day, after_last_day: NULL when no day was selected) so the scan is
-- pruned to it and reads nothing when there is nothing to recompute.
CREATE OR REPLACE TEMPORARY TABLE {{DAYS_TABLE}} AS
SELECT TO_DATE(h.EVENT_TIMESTAMP) AS DAY, COUNT(*) AS HISTORY_ROWS
FROM {{HISTORY_TABLE}} AS h
WHERE h.EVENT_TIMESTAMP >= CAST({{bind first_day}} AS TIMESTAMP_NTZ)
  AND h.EVENT_TIMESTAMP < CAST({{bind after_last_day}} AS TIMESTAMP_NTZ)
  AND TO_DATE(h.EVENT_TIMESTAMP) IN (SELECT DAY FROM {{CANDIDATES_TABLE}})
GROUP BY TO_DATE(h.EVENT_TIMESTAMP)
