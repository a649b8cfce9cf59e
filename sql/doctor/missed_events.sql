-- Events Wallmonitor missed, per agent: Cortex Agent events of the last LOOKBACK_HOURS hours in
-- the event table that happened after the agent's backfill (SINCE) and before its read point
-- (doctor/read_points.sql), whose EVENT_KEY AGENT_EVENTS_HISTORY does not hold. No later cycle
-- reads them: they reached the event table more than ingestOverlapMinutes after the refresh that
-- should have read them began. MAX_DELAY_SECONDS is how far before the read basis (newest stored
-- event or last refresh) the oldest one happened: an overlap of that many minutes would have
-- caught them all.
-- Events newer than the read point are left out (the next cycle reads them), as are agents still
-- in their initial backfill. Rows are matched and parsed as ingestion matches and parses them
-- (ingestion/agent_source_events.sql, ingestion/parsed_events.sql), so the key is ingestion's own.
-- Read directly from the event table (https://docs.snowflake.com/en/sql-reference/local/ai_observability_events):
-- the role needs SNOWFLAKE.AI_OBSERVABILITY_READER, as the event-table ingest path does.
-- One SELECT (its CTEs inside a subquery): the doctor's read-only gate lets only SELECT through.
SELECT
    m.AGENT_DATABASE,
    m.AGENT_SCHEMA,
    m.AGENT_NAME,
    COUNT(*) AS MISSED_EVENTS,
    MIN(m.EVENT_TIMESTAMP) AS OLDEST_MISSED_EVENT,
    MAX(DATEDIFF('second', m.EVENT_TIMESTAMP, m.READ_BASIS)) AS MAX_DELAY_SECONDS
FROM (
    WITH READ_POINTS AS (
        {{> doctor/read_points.sql}}
    ),
    SOURCE_EVENTS AS (
        {{> ingestion/agent_source_events.sql}}
          AND e.TIMESTAMP >= DATEADD('hour', -{{LOOKBACK_HOURS}}, SYSDATE())
          AND e.TIMESTAMP >= r.SINCE
          AND e.TIMESTAMP < r.READ_POINT
    ),
    PARSED AS (
        {{> ingestion/parsed_events.sql}}
    )
    SELECT p.AGENT_DATABASE, p.AGENT_SCHEMA, p.AGENT_NAME, p.EVENT_TIMESTAMP, r.READ_BASIS
    FROM PARSED AS p
    INNER JOIN READ_POINTS AS r
        ON r.AGENT_DATABASE = p.AGENT_DATABASE AND r.AGENT_SCHEMA = p.AGENT_SCHEMA AND r.AGENT_NAME = p.AGENT_NAME
    WHERE NOT EXISTS (
        SELECT 1 FROM {{HISTORY}} AS h
        WHERE h.EVENT_TIMESTAMP >= DATEADD('hour', -{{LOOKBACK_HOURS}}, SYSDATE())
          AND h.EVENT_KEY = p.EVENT_KEY)
) AS m
GROUP BY m.AGENT_DATABASE, m.AGENT_SCHEMA, m.AGENT_NAME
ORDER BY m.AGENT_DATABASE, m.AGENT_SCHEMA, m.AGENT_NAME
