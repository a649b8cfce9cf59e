-- One agent's spec, for the version snapshot's spec hashes. Columns name, database_name, schema_name,
-- owner, comment, profile, agent_spec, created_on; needs OWNERSHIP, USAGE, MONITOR or OPERATE on the
-- agent (https://docs.snowflake.com/en/sql-reference/sql/desc-agent).
-- ASSUMPTION, one place (privileges/model.json openChecks, "DESCRIBE AGENT"): agent_spec is the spec
-- of the agent's default version, so each cycle hashes the version SHOW VERSIONS marks is_default.
DESCRIBE AGENT IDENTIFIER({{bind agent}})
