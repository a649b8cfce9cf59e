-- Calls the event function for an agent that does not exist: an error that names the agent
-- proves the function resolved and ran for this role (the exact error is unverified).
SELECT 1 FROM TABLE({{FUNCTION}}({{AGENT_DATABASE}}, {{AGENT_SCHEMA}}, {{AGENT_NAME}}, 'CORTEX AGENT')) LIMIT 0
