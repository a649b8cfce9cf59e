-- The schema's tables and their change_tracking (ON or OFF), which an incremental dynamic table
-- reading them needs (https://docs.snowflake.com/en/sql-reference/sql/show-tables,
-- https://docs.snowflake.com/en/user-guide/dynamic-tables-create#enable-change-tracking).
SHOW TABLES IN SCHEMA {{SCHEMA}}
