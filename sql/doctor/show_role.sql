-- Whether a role exists (https://docs.snowflake.com/en/sql-reference/sql/show-roles).
SHOW ROLES LIKE {{NAME}}
