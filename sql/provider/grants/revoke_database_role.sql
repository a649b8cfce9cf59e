-- Undoes grant_database_role.sql. "Does not exist" (002003) is read as "already gone".
-- https://docs.snowflake.com/en/sql-reference/sql/revoke-database-role
REVOKE DATABASE ROLE {{DATABASE_ROLE}} FROM ROLE {{GRANTEE}}
