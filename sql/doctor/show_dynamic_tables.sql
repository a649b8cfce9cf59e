-- The schema's dynamic tables: scheduling_state, target_lag, data_timestamp
-- (https://docs.snowflake.com/en/sql-reference/sql/show-dynamic-tables).
SHOW DYNAMIC TABLES IN SCHEMA {{SCHEMA}}
