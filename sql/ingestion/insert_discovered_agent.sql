-- Binds: 1-3 the agent's database, schema and name as SHOW AGENTS reported them.
INSERT INTO {{DISCOVERED_TABLE}} (AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME) VALUES (?, ?, ?)
