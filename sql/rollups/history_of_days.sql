-- The history rows of the selected days (the range bound lets Snowflake prune micro-partitions).
SELECT h.*, TO_DATE(h.EVENT_TIMESTAMP) AS DAY
FROM {{HISTORY_TABLE}} AS h
WHERE h.EVENT_TIMESTAMP >= (SELECT MIN(DAY) FROM {{DAYS_TABLE}})
  AND TO_DATE(h.EVENT_TIMESTAMP) IN (SELECT DAY FROM {{DAYS_TABLE}})
