-- A privilege on every existing object of a type in a database or schema (MONITOR on the agents
-- already there); objects created later are covered by the future grant, grant_on_future.sql.
-- https://docs.snowflake.com/en/sql-reference/sql/grant-privilege
GRANT {{PRIVILEGE}} ON ALL {{OBJECT_TYPE_PLURAL}} IN {{CONTAINER_TYPE}} {{CONTAINER}} TO ROLE {{GRANTEE}}
