-- The future grants defined in a schema: columns created_on, privilege, grant_on, name,
-- grant_to, grantee_name, grant_option (https://docs.snowflake.com/en/sql-reference/sql/show-grants).
SHOW FUTURE GRANTS IN SCHEMA {{SCHEMA}}
