-- The dashboard app (https://docs.snowflake.com/en/sql-reference/sql/show-streamlits): its url_id.
SHOW STREAMLITS LIKE {{NAME}} IN SCHEMA {{SCHEMA}}
