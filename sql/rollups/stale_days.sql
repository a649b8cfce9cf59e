-- The days find_days.sql selected, oldest first.
SELECT DAY FROM {{DAYS_TABLE}} ORDER BY DAY
