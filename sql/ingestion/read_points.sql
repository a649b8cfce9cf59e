-- Where this cycle starts reading each active agent: the rule of read_from.sql, computed for
-- every active agent at once (the event-table path reads them all in one pass). Included by
-- the event-table statements as the body of a READ_POINTS CTE; a test checks that it agrees
-- with read_from.sql agent by agent.
-- The late-event trade-off, as read_from.sql states it: each agent is read from the later of its
-- watermark and the start of its last successful refresh, less ingestOverlapMinutes, so an event
-- up to ingestOverlapMinutes late is always loaded, busy agent or quiet, and one that arrives after
-- a successful refresh started more than ingestOverlapMinutes after its TIMESTAMP is not read.
-- A quiet agent no longer makes the one pass re-read hours of every agent's events: the pass
-- reads one refresh interval plus the overlap.
SELECT
    r.AGENT_DATABASE,
    r.AGENT_SCHEMA,
    r.AGENT_NAME,
    GREATEST(
        COALESCE(
            DATEADD('minute', -{{INGEST_OVERLAP_MINUTES}},
                    COALESCE(GREATEST(s.LAST_EVENT_TIMESTAMP, s.LAST_OK_READ_STARTED_AT),
                             s.LAST_EVENT_TIMESTAMP, s.LAST_OK_READ_STARTED_AT)),
            s.LAST_READ_FROM,
            DATEADD('second', -a.LOOKBACK_SECONDS, SYSDATE())),
        DATEADD('day', -a.HISTORY_DAYS, SYSDATE())) AS READ_FROM
FROM {{REGISTRY_TABLE}} AS r
CROSS JOIN (
    SELECT
        CAST(ROUND(CAST({{bind lookback_hours}} AS FLOAT) * 3600) AS INTEGER) AS LOOKBACK_SECONDS,
        CAST({{bind history_days}} AS INTEGER) AS HISTORY_DAYS
) AS a
LEFT JOIN (
    SELECT AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, LAST_EVENT_TIMESTAMP, LAST_READ_FROM,
           {{> ingestion/last_ok_read_started.sql}} AS LAST_OK_READ_STARTED_AT
    FROM {{INGEST_STATE_TABLE}}
) AS s
    ON s.AGENT_DATABASE = r.AGENT_DATABASE AND s.AGENT_SCHEMA = r.AGENT_SCHEMA AND s.AGENT_NAME = r.AGENT_NAME
WHERE r.IS_ACTIVE
