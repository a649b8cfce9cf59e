-- Every privilege and role the grantee holds, one row each (privilege, granted_on, name, ...):
-- how a grant on an object or of a database role is read back.
-- https://docs.snowflake.com/en/sql-reference/sql/show-grants
SHOW GRANTS TO ROLE {{GRANTEE}}
