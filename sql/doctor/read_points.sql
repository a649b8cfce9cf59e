-- Where the next ingestion cycle starts reading each active agent that is past its initial
-- backfill, by the rule ingestion follows (sql/ingestion/read_points.sql): the later of the
-- agent's newest stored event and its last successful refresh, less ingestOverlapMinutes. An
-- event older than READ_POINT that is not stored is never read again.
-- ASSUMPTION (named here only): AGENT_INGEST_STATE.LAST_REFRESH_AT of an OK refresh is when that
-- refresh started reading, the point ingestion's read-from rule counts from. A failed last
-- refresh leaves only the watermark.
-- FIRST_LOADED_AT is when the agent's first event was stored: events before it belong to the
-- initial backfill (read from initialLookbackHours back), so agents without any stored event are
-- left out. Read over the whole history (one pass over four columns).
SELECT
    s.AGENT_DATABASE,
    s.AGENT_SCHEMA,
    s.AGENT_NAME,
    COALESCE(GREATEST(s.LAST_EVENT_TIMESTAMP, IFF(s.LAST_REFRESH_STATUS = 'OK', s.LAST_REFRESH_AT, NULL)),
             s.LAST_EVENT_TIMESTAMP) AS READ_BASIS,
    DATEADD('minute', -{{INGEST_OVERLAP_MINUTES}},
            COALESCE(GREATEST(s.LAST_EVENT_TIMESTAMP, IFF(s.LAST_REFRESH_STATUS = 'OK', s.LAST_REFRESH_AT, NULL)),
                     s.LAST_EVENT_TIMESTAMP)) AS READ_POINT,
    f.FIRST_LOADED_AT
FROM {{INGEST_STATE}} AS s
INNER JOIN {{REGISTRY}} AS r
    ON r.AGENT_DATABASE = s.AGENT_DATABASE AND r.AGENT_SCHEMA = s.AGENT_SCHEMA AND r.AGENT_NAME = s.AGENT_NAME
INNER JOIN (
    SELECT AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, MIN(LOADED_AT) AS FIRST_LOADED_AT
    FROM {{HISTORY}}
    GROUP BY AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME
) AS f
    ON f.AGENT_DATABASE = s.AGENT_DATABASE AND f.AGENT_SCHEMA = s.AGENT_SCHEMA AND f.AGENT_NAME = s.AGENT_NAME
WHERE r.IS_ACTIVE AND s.LAST_EVENT_TIMESTAMP IS NOT NULL
