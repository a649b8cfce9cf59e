-- The newest spans per agent in the window, with the span kinds the coverage is counted by:
-- ROOT (one per turn), PLANNING (where tokens and the model sit), OTHER; and what marks an
-- evaluation run's span (its span type, a run name), which ingestion keeps out of production.
SELECT
    e.RECORD_ATTRIBUTES:"snow.ai.observability.database.name"::STRING || '.'
        || e.RECORD_ATTRIBUTES:"snow.ai.observability.schema.name"::STRING || '.'
        || e.RECORD_ATTRIBUTES:"snow.ai.observability.object.name"::STRING AS AGENT,
    e.RECORD:name::STRING AS SPAN_NAME,
    e.RECORD_ATTRIBUTES:"snow.ai.observability.object.type"::STRING AS OBJECT_TYPE,
    CASE
        WHEN e.RECORD:name::STRING = 'AgentV2RequestResponseInfo' THEN 'ROOT'
        WHEN e.RECORD:name::STRING LIKE 'ReasoningAgentStepPlanning-%' THEN 'PLANNING'
        ELSE 'OTHER'
    END AS SPAN_KIND,
    LOWER(e.RECORD_ATTRIBUTES:"ai.observability.span_type"::STRING) AS SPAN_TYPE,
    e.RECORD_ATTRIBUTES:"snow.ai.observability.run.name" IS NOT NULL AS HAS_RUN_NAME,
    e.RECORD_ATTRIBUTES
FROM SNOWFLAKE.LOCAL.AI_OBSERVABILITY_EVENTS AS e
WHERE e.TIMESTAMP >= DATEADD('day', -{{LOOKBACK_DAYS}}, SYSDATE())
    AND e.RECORD_TYPE = 'SPAN'
    AND e.RECORD_ATTRIBUTES:"snow.ai.observability.object.type" IS NOT NULL
QUALIFY ROW_NUMBER() OVER (PARTITION BY AGENT ORDER BY e.TIMESTAMP DESC) <= {{SAMPLE_SIZE}}
