-- Where this cycle starts reading each active agent: the rule of read_from.sql, computed for
-- every active agent at once (the event-table path reads them all in one pass). Included by
-- the event-table statements as the body of a READ_POINTS CTE; a test checks that it agrees
-- with read_from.sql agent by agent.
SELECT
    r.AGENT_DATABASE,
    r.AGENT_SCHEMA,
    r.AGENT_NAME,
    GREATEST(
        COALESCE(
            DATEADD('minute', -{{INGEST_OVERLAP_MINUTES}}, s.LAST_EVENT_TIMESTAMP),
            DATEADD('minute', -{{INGEST_OVERLAP_MINUTES}}, IFF(s.LAST_REFRESH_STATUS = 'OK', s.LAST_REFRESH_AT, NULL)),
            s.LAST_READ_FROM,
            DATEADD('second', -a.LOOKBACK_SECONDS, SYSDATE())),
        DATEADD('day', -a.HISTORY_DAYS, SYSDATE())) AS READ_FROM
FROM {{REGISTRY_TABLE}} AS r
CROSS JOIN (
    SELECT
        CAST(ROUND(CAST({{bind lookback_hours}} AS FLOAT) * 3600) AS INTEGER) AS LOOKBACK_SECONDS,
        CAST({{bind history_days}} AS INTEGER) AS HISTORY_DAYS
) AS a
LEFT JOIN {{INGEST_STATE_TABLE}} AS s
    ON s.AGENT_DATABASE = r.AGENT_DATABASE AND s.AGENT_SCHEMA = r.AGENT_SCHEMA AND s.AGENT_NAME = r.AGENT_NAME
WHERE r.IS_ACTIVE
