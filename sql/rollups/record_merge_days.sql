-- Records the history row count each merged day now reflects (find_merge_days.sql).
INSERT INTO {{DAY_STATE_TABLE}} (DAY, HISTORY_ROWS, ROLLED_UP_AT, ROLLUP_VERSION)
SELECT DAY, HISTORY_ROWS, {{bind rollup_started}}, {{ROLLUP_VERSION}} FROM {{MERGE_DAYS_TABLE}}
