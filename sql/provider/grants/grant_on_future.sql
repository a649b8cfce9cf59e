-- A privilege on every object of a type created later in a database or schema. Needs MANAGE GRANTS
-- (the admin role). A schema-level future grant overrides the database-level ones for that schema.
-- https://docs.snowflake.com/en/sql-reference/sql/grant-privilege
GRANT {{PRIVILEGE}} ON FUTURE {{OBJECT_TYPE_PLURAL}} IN {{CONTAINER_TYPE}} {{CONTAINER}} TO ROLE {{GRANTEE}}
