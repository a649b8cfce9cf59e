-- How a discovered agent enters the registry, shared by both ways agents are discovered: the
-- including MERGE INTO the registry (alias r) has a source `d` with AGENT_DATABASE,
-- AGENT_SCHEMA, AGENT_NAME, INCLUDE_PATTERN, EXCLUDE_PATTERN, ACTIVATE and REGISTERED_BY.
-- A new agent is added; a registered one is only stamped. Never deletes or deactivates: manual
-- registrations and manual deactivations are kept.
ON r.AGENT_DATABASE = d.AGENT_DATABASE AND r.AGENT_SCHEMA = d.AGENT_SCHEMA AND r.AGENT_NAME = d.AGENT_NAME
WHEN MATCHED THEN UPDATE SET LAST_DISCOVERED = SYSDATE()
WHEN NOT MATCHED THEN INSERT (
    AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, IS_ACTIVE, INCLUDE_PATTERN, EXCLUDE_PATTERN,
    ADDED_AT, LAST_DISCOVERED, REGISTERED_BY
) VALUES (
    d.AGENT_DATABASE, d.AGENT_SCHEMA, d.AGENT_NAME, d.ACTIVATE, d.INCLUDE_PATTERN, d.EXCLUDE_PATTERN,
    SYSDATE(), SYSDATE(), d.REGISTERED_BY
)
