-- The schema's tasks and their state, started or suspended (https://docs.snowflake.com/en/sql-reference/sql/show-tasks).
SHOW TASKS IN SCHEMA {{SCHEMA}}
