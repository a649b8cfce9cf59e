-- The production history rows of the selected days (the range bound lets Snowflake prune
-- micro-partitions). Evaluation traffic is left out of every rollup (evaluation/history.sql); the
-- EVALUATION_RUNS view counts it instead.
SELECT h.*, TO_DATE(h.EVENT_TIMESTAMP) AS DAY
FROM (
    {{> evaluation/history.sql}}
) AS h
WHERE NOT h.IS_EVALUATION
  AND h.EVENT_TIMESTAMP >= (SELECT MIN(DAY) FROM {{DAYS_TABLE}})
  AND TO_DATE(h.EVENT_TIMESTAMP) IN (SELECT DAY FROM {{DAYS_TABLE}})
