-- One agent as SHOW AGENTS reported it.
INSERT INTO {{DISCOVERED_TABLE}} (AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME) VALUES ({{bind agent_database}}, {{bind agent_schema}}, {{bind agent_name}})
