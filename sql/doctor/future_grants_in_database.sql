-- The future grants defined in a database (same columns as in a schema;
-- https://docs.snowflake.com/en/sql-reference/sql/show-grants).
SHOW FUTURE GRANTS IN DATABASE {{DATABASE}}
