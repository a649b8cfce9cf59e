-- Loads every active agent's new events in ONE pass over the event table, each agent from its
-- own read-from point (read_points.sql: the later of its watermark and its last successful
-- refresh's start, less the overlap, as read_from.sql), each event exactly once: an event whose
-- key the history already holds is skipped. Parsed by the same parsed_events.sql as the
-- per-agent insert, so the two paths cannot disagree on a column.
-- Only Cortex Agent rows of registered, active agents are read (agent_source_events.sql): the
-- event table also holds Cortex Search logs, external agents and agents excluded from or
-- deactivated in the registry.
-- Both reads are bounded below by the earliest read-from point, passed as a constant so that it
-- prunes at compile time: the event table is read only from there (its micro-partitions before
-- it are skipped, and their attributes never parsed), and the dedupe looks only at history rows
-- from there (an event key includes the event's timestamp, so a row with the same key is never
-- older). Cost per cycle therefore follows the new events, not the history kept.
-- earliest_read_from is the earliest READ_FROM of read_points_all.sql.
{{> ingestion/insert_parsed_events.sql}}
FROM (
    WITH READ_POINTS AS (
        {{> ingestion/read_points.sql}}
    ),
    SOURCE_EVENTS AS (
        {{> ingestion/agent_source_events.sql}}
          AND e.TIMESTAMP >= r.READ_FROM
          AND e.TIMESTAMP >= CAST({{bind earliest_read_from}} AS TIMESTAMP_NTZ)
    ),
    PARSED AS (
        {{> ingestion/parsed_events.sql}}
    )
    SELECT p.*
    FROM PARSED AS p
    WHERE NOT EXISTS (
        SELECT 1 FROM {{HISTORY_TABLE}} AS h
        WHERE h.EVENT_TIMESTAMP >= CAST({{bind earliest_read_from}} AS TIMESTAMP_NTZ)
          AND h.EVENT_KEY = p.EVENT_KEY)
) AS e
