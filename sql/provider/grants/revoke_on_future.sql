-- Undoes grant_on_future.sql. "Does not exist" (002003) is read as "already gone".
-- https://docs.snowflake.com/en/sql-reference/sql/revoke-privilege
REVOKE {{PRIVILEGE}} ON FUTURE {{OBJECT_TYPE_PLURAL}} IN {{CONTAINER_TYPE}} {{CONTAINER}} FROM ROLE {{GRANTEE}}
