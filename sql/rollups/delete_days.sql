-- Drops one rollup's rows of the selected days before they are recomputed.
DELETE FROM {{ROLLUP_TABLE}} WHERE DAY IN (SELECT DAY FROM {{DAYS_TABLE}})
