-- One row per registered agent: whether it is read, how its last refresh went, and how far
-- behind its newest loaded event is. Registry notes and patterns are left out. Ages are
-- measured when the view is read (SYSDATE(), UTC, like every timestamp here). An agent is
-- STALE when no refresh reached it for two refresh intervals: the task is suspended or failing.
-- INGEST_PATH / INGEST_PATH_REASON: how the last cycle read the agent (EVENT_TABLE or PER_AGENT)
-- and why (the ingestPath config, auto's probe of the event table, or a fallback).
SELECT
    r.AGENT_DATABASE || '.' || r.AGENT_SCHEMA || '.' || r.AGENT_NAME AS AGENT_FULL_NAME,
    r.AGENT_DATABASE,
    r.AGENT_SCHEMA,
    r.AGENT_NAME,
    COALESCE(r.IS_ACTIVE, TRUE) AS IS_ACTIVE,
    r.REGISTERED_BY,
    r.ADDED_AT,
    r.LAST_DISCOVERED,
    s.INGEST_PATH,
    s.INGEST_PATH_REASON,
    s.LAST_REFRESH_AT,
    s.LAST_REFRESH_STATUS,
    s.LAST_ERROR_MESSAGE,
    s.LAST_ROWS_LOADED,
    COALESCE(s.CONSECUTIVE_FAILURES, 0) AS CONSECUTIVE_FAILURES,
    s.LAST_EVENT_TIMESTAMP,
    DATEDIFF('minute', s.LAST_EVENT_TIMESTAMP, SYSDATE()) AS EVENT_LAG_MINUTES,
    DATEDIFF('minute', s.LAST_REFRESH_AT, SYSDATE()) AS MINUTES_SINCE_REFRESH,
    CASE
        WHEN NOT COALESCE(r.IS_ACTIVE, TRUE) THEN 'INACTIVE'
        WHEN s.LAST_REFRESH_AT IS NULL THEN 'NOT_YET_READ'
        WHEN s.LAST_REFRESH_STATUS = 'ERROR' THEN 'FAILING'
        WHEN DATEDIFF('minute', s.LAST_REFRESH_AT, SYSDATE()) > 2 * {{REFRESH_INTERVAL_MINUTES}} THEN 'STALE'
        ELSE 'HEALTHY'
    END AS HEALTH
FROM {{ref AGENT_REGISTRY}} AS r
LEFT JOIN {{ref AGENT_INGEST_STATE}} AS s
    ON s.AGENT_DATABASE = r.AGENT_DATABASE AND s.AGENT_SCHEMA = r.AGENT_SCHEMA AND s.AGENT_NAME = r.AGENT_NAME
