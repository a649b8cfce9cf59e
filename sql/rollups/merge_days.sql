-- The days find_merge_days.sql selected, oldest first.
SELECT DAY FROM {{MERGE_DAYS_TABLE}} ORDER BY DAY
