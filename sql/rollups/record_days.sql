-- Records which history each recomputed day was rolled up from (its old row was deleted by
-- delete_days.sql in the same transaction). Binds: 1 rollup run started.
INSERT INTO {{DAY_STATE_TABLE}} (DAY, HISTORY_ROWS, ROLLED_UP_AT, ROLLUP_VERSION)
SELECT DAY, HISTORY_ROWS, ?, {{ROLLUP_VERSION}} FROM {{DAYS_TABLE}}
