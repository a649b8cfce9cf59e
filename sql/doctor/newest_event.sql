-- Whether the session's role can read the event table, and its newest Cortex Agent event in
-- the window (https://docs.snowflake.com/en/sql-reference/local/ai_observability_events).
SELECT MAX(e.TIMESTAMP) AS NEWEST_EVENT, COUNT(*) AS EVENTS
FROM SNOWFLAKE.LOCAL.AI_OBSERVABILITY_EVENTS AS e
WHERE e.TIMESTAMP >= DATEADD('day', -{{LOOKBACK_DAYS}}, SYSDATE())
    AND {{> ingestion/is_cortex_agent.sql}}
