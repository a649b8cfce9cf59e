-- Whether an agent `d` (AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME) matches the patterns `p`
-- (INCLUDE_PATTERN, EXCLUDE_PATTERN): LIKE patterns matched case-insensitively against
-- DATABASE.SCHEMA.NAME; a NULL exclude pattern excludes nothing. Shared by both ways agents are
-- registered (merge_discovered_agents.sql, merge_agents_from_events.sql).
(d.AGENT_DATABASE || '.' || d.AGENT_SCHEMA || '.' || d.AGENT_NAME) ILIKE p.INCLUDE_PATTERN
AND NOT COALESCE((d.AGENT_DATABASE || '.' || d.AGENT_SCHEMA || '.' || d.AGENT_NAME) ILIKE p.EXCLUDE_PATTERN, FALSE)
