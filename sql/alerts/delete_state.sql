-- One key's state, before its new row is inserted (a plain DELETE + INSERT: no MERGE with binds).
DELETE FROM {{STATE_TABLE}}
WHERE RULE_NAME = {{bind rule_name}} AND AGENT_DATABASE = {{bind agent_database}} AND AGENT_SCHEMA = {{bind agent_schema}} AND AGENT_NAME = {{bind agent_name}}
