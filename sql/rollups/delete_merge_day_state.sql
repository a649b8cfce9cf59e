-- Drops ROLLUP_DAY_STATE's rows of the days merged into (record_merge_days.sql re-inserts them).
DELETE FROM {{DAY_STATE_TABLE}} WHERE DAY IN (SELECT DAY FROM {{MERGE_DAYS_TABLE}})
