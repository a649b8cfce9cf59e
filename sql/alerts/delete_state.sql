-- One key's state, before its new row is inserted (a plain DELETE + INSERT: no MERGE with binds).
DELETE FROM {{STATE_TABLE}}
WHERE RULE_NAME = ? AND AGENT_DATABASE = ? AND AGENT_SCHEMA = ? AND AGENT_NAME = ?
