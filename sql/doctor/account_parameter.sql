-- One account parameter and its value (https://docs.snowflake.com/en/sql-reference/sql/show-parameters).
SHOW PARAMETERS LIKE {{NAME}} IN ACCOUNT
