-- The agents that wrote events in the window, by the attributes ingestion registers them by.
SELECT
    e.RECORD_ATTRIBUTES:"snow.ai.observability.database.name"::STRING AS AGENT_DATABASE,
    e.RECORD_ATTRIBUTES:"snow.ai.observability.schema.name"::STRING AS AGENT_SCHEMA,
    e.RECORD_ATTRIBUTES:"snow.ai.observability.object.name"::STRING AS AGENT_NAME,
    COUNT(*) AS EVENTS,
    MAX(e.TIMESTAMP) AS NEWEST_EVENT
FROM SNOWFLAKE.LOCAL.AI_OBSERVABILITY_EVENTS AS e
WHERE e.TIMESTAMP >= DATEADD('day', -{{LOOKBACK_DAYS}}, SYSDATE())
    AND {{> ingestion/is_cortex_agent.sql}}
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3
