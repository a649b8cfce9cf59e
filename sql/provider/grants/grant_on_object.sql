-- One privilege on one database or schema (USAGE on an agent location).
-- https://docs.snowflake.com/en/sql-reference/sql/grant-privilege
GRANT {{PRIVILEGE}} ON {{OBJECT_TYPE}} {{OBJECT}} TO ROLE {{GRANTEE}}
