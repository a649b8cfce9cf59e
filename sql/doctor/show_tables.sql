-- The schema's tables, their change_tracking (ON or OFF) and retention_time: an incremental
-- dynamic table needs change tracking with a non-zero Time Travel retention on every table it
-- reads (https://docs.snowflake.com/en/sql-reference/sql/show-tables,
-- https://docs.snowflake.com/en/user-guide/dynamic-tables-create, "Enable change tracking").
SHOW TABLES IN SCHEMA {{SCHEMA}}
