-- Where the next ingestion cycle starts reading each active agent that has been read
-- successfully, by the rule ingestion follows (sql/ingestion/read_points.sql): the later of the
-- agent's newest stored event and the start of its last successful read, less
-- ingestOverlapMinutes; after a failed refresh, or while the last success was recorded by a
-- release before LAST_READ_STARTED_AT, its newest stored event less the overlap (both through
-- sql/ingestion/last_ok_read_started.sql, as ingestion takes them). An event older than
-- READ_POINT that is not stored is never read again. An agent with no stored event whose last
-- success an earlier release recorded is left out until its next cycle: ingestion reads it from
-- LAST_READ_FROM, where SINCE would start, so nothing of it could count as missed yet.
-- SINCE is where missed events are counted from: the agent's first stored event's load (earlier
-- events belong to the initial backfill, read from initialLookbackHours back), or, for an agent
-- read successfully but with no event stored yet, where that last read's window began
-- (LAST_READ_FROM; what happened before it was read by earlier cycles, which the state no longer
-- records). Agents never read successfully, still in their initial backfill, are left out.
SELECT
    s.AGENT_DATABASE,
    s.AGENT_SCHEMA,
    s.AGENT_NAME,
    COALESCE(GREATEST(s.LAST_EVENT_TIMESTAMP, s.LAST_OK_READ_STARTED_AT), s.LAST_EVENT_TIMESTAMP, s.LAST_OK_READ_STARTED_AT) AS READ_BASIS,
    DATEADD('minute', -{{INGEST_OVERLAP_MINUTES}},
            COALESCE(GREATEST(s.LAST_EVENT_TIMESTAMP, s.LAST_OK_READ_STARTED_AT), s.LAST_EVENT_TIMESTAMP, s.LAST_OK_READ_STARTED_AT)) AS READ_POINT,
    COALESCE(f.FIRST_LOADED_AT, IFF(s.LAST_OK_READ_STARTED_AT IS NULL, NULL, s.LAST_READ_FROM)) AS SINCE
FROM (
    SELECT AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, LAST_EVENT_TIMESTAMP, LAST_READ_FROM,
           {{> ingestion/last_ok_read_started.sql}} AS LAST_OK_READ_STARTED_AT
    FROM {{INGEST_STATE}}
) AS s
INNER JOIN {{REGISTRY}} AS r
    ON r.AGENT_DATABASE = s.AGENT_DATABASE AND r.AGENT_SCHEMA = s.AGENT_SCHEMA AND r.AGENT_NAME = s.AGENT_NAME
LEFT JOIN (
    {{> doctor/first_loads.sql}}
) AS f
    ON f.AGENT_DATABASE = s.AGENT_DATABASE AND f.AGENT_SCHEMA = s.AGENT_SCHEMA AND f.AGENT_NAME = s.AGENT_NAME
WHERE r.IS_ACTIVE
  AND (s.LAST_EVENT_TIMESTAMP IS NOT NULL OR s.LAST_OK_READ_STARTED_AT IS NOT NULL)
  AND COALESCE(f.FIRST_LOADED_AT, IFF(s.LAST_OK_READ_STARTED_AT IS NULL, NULL, s.LAST_READ_FROM)) IS NOT NULL
