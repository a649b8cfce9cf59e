-- Adds newly discovered agents to the registry and stamps the ones already there. Never
-- deletes or deactivates: manual registrations and manual deactivations are kept.
-- Patterns are LIKE patterns matched case-insensitively against DATABASE.SCHEMA.NAME.
-- Binds: 1 include pattern, 2 exclude pattern (NULL excludes nothing), 3 activate new agents,
--        4 include pattern and 5 exclude pattern again (recorded on new rows).
MERGE INTO {{REGISTRY_TABLE}} AS r
USING (
    SELECT DISTINCT d.AGENT_DATABASE, d.AGENT_SCHEMA, d.AGENT_NAME
    FROM {{DISCOVERED_TABLE}} AS d
    WHERE (d.AGENT_DATABASE || '.' || d.AGENT_SCHEMA || '.' || d.AGENT_NAME) ILIKE CAST(? AS VARCHAR)
      AND NOT COALESCE((d.AGENT_DATABASE || '.' || d.AGENT_SCHEMA || '.' || d.AGENT_NAME) ILIKE CAST(? AS VARCHAR), FALSE)
) AS d
ON r.AGENT_DATABASE = d.AGENT_DATABASE AND r.AGENT_SCHEMA = d.AGENT_SCHEMA AND r.AGENT_NAME = d.AGENT_NAME
WHEN MATCHED THEN UPDATE SET LAST_DISCOVERED = SYSDATE()
WHEN NOT MATCHED THEN INSERT (
    AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, IS_ACTIVE, INCLUDE_PATTERN, EXCLUDE_PATTERN,
    ADDED_AT, LAST_DISCOVERED, REGISTERED_BY
) VALUES (
    d.AGENT_DATABASE, d.AGENT_SCHEMA, d.AGENT_NAME, CAST(? AS BOOLEAN), CAST(? AS VARCHAR), CAST(? AS VARCHAR),
    SYSDATE(), SYSDATE(), 'DISCOVERY'
)
