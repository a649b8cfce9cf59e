-- Every active agent's read-from point, as the event-table path computes it (read_points.sql).
-- Binds: 1 lookback hours, 2 history days.
{{> ingestion/read_points.sql}}
ORDER BY AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME
