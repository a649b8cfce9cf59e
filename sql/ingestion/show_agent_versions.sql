-- One agent's versions: its committed VERSION$N versions and LIVE, their aliases and which one is
-- the default (https://docs.snowflake.com/en/user-guide/snowflake-cortex/cortex-agents-versioning).
-- ASSUMPTION, one place (privileges/model.json openChecks, "SHOW VERSIONS IN AGENT"): the command
-- takes the agent through IDENTIFIER() with a bound name, needs one of the privileges DESCRIBE AGENT
-- needs, and reports the columns name, aliases, is_default and created_on (lower case, as every SHOW
-- command's are); procedures/ingestion.py reads only those, by name.
SHOW VERSIONS IN AGENT IDENTIFIER({{bind agent}})
