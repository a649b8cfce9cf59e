-- The future grants defined in a database or schema (privilege, grant_on, grantee_name, ...):
-- SHOW GRANTS TO ROLE does not list them.
-- https://docs.snowflake.com/en/sql-reference/sql/show-grants
SHOW FUTURE GRANTS IN {{CONTAINER_TYPE}} {{CONTAINER}}
