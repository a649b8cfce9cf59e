-- Every active agent's read-from point, as the event-table path computes it (read_points.sql).
{{> ingestion/read_points.sql}}
ORDER BY AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME
