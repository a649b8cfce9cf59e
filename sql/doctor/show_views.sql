-- The schema's views and their change_tracking (ON or OFF): a view an incremental dynamic table
-- reads needs it as its tables do (https://docs.snowflake.com/en/sql-reference/sql/show-views).
SHOW VIEWS IN SCHEMA {{SCHEMA}}
