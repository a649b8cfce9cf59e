-- Undoes grant_on_all.sql on the objects there now. "Does not exist" (002003) is read as "already gone".
-- https://docs.snowflake.com/en/sql-reference/sql/revoke-privilege
REVOKE {{PRIVILEGE}} ON ALL {{OBJECT_TYPE_PLURAL}} IN {{CONTAINER_TYPE}} {{CONTAINER}} FROM ROLE {{GRANTEE}}
