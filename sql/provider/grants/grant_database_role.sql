-- Grants a database role (SNOWFLAKE.CORTEX_USER, SNOWFLAKE.USAGE_VIEWER) in plain SQL: the Snowflake
-- provider's grant_database_role fails or re-grants on every `up` for SNOWFLAKE.* roles
-- (terraform-provider-snowflake issues 4338, 4284, 4469). Granting a role the grantee already
-- holds succeeds, so this is safe to run again.
-- https://docs.snowflake.com/en/sql-reference/sql/grant-database-role
GRANT DATABASE ROLE {{DATABASE_ROLE}} TO ROLE {{GRANTEE}}
