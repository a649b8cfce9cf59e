-- The days find_full_days.sql selected, oldest first.
SELECT DAY FROM {{CANDIDATES_TABLE}} ORDER BY DAY
