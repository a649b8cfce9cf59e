-- The schema's dynamic tables: scheduling_state, target_lag, data_timestamp, and refresh_mode
-- (INCREMENTAL or FULL) with refresh_mode_reason, why Snowflake refreshes one FULL
-- (https://docs.snowflake.com/en/sql-reference/sql/show-dynamic-tables).
SHOW DYNAMIC TABLES IN SCHEMA {{SCHEMA}}
