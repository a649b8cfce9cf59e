-- Undoes grant_on_object.sql. "Does not exist" (002003) is read as "already gone".
-- https://docs.snowflake.com/en/sql-reference/sql/revoke-privilege
REVOKE {{PRIVILEGE}} ON {{OBJECT_TYPE}} {{OBJECT}} FROM ROLE {{GRANTEE}}
