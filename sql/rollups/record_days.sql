-- Records which history each recomputed day was rolled up from (its old row was deleted by
-- delete_days.sql in the same transaction).
INSERT INTO {{DAY_STATE_TABLE}} (DAY, HISTORY_ROWS, ROLLED_UP_AT, ROLLUP_VERSION)
SELECT DAY, HISTORY_ROWS, {{bind rollup_started}}, {{ROLLUP_VERSION}} FROM {{DAYS_TABLE}}
