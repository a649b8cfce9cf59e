-- One row per agent request seen in the event history (a trace of spans), with the value that
-- joins it to the usage view. The join key is read here and nowhere else: JOIN_KEY is the
-- configured attribute (wallmonitor:costUsageJoinKey), ALTERNATE_KEY the other candidate, both
-- preferring the root span's value. The reconciliation view shows the match rate of each.
WITH spans AS (
    SELECT
        h.AGENT_DATABASE, h.AGENT_SCHEMA, h.AGENT_NAME, h.TRACE_ID,
        MIN(COALESCE(h.START_TIMESTAMP, h.EVENT_TIMESTAMP)) AS REQUEST_TIME,
        MAX(h.USER_NAME) AS USER_NAME,
        MAX(h.THREAD_ID) AS THREAD_ID,
        COALESCE(MAX(IFF(h.SPAN_CATEGORY = 'AGENT_RUN', h.{{JOIN_KEY}}, NULL)), MAX(h.{{JOIN_KEY}})) AS JOIN_KEY,
        COALESCE(MAX(IFF(h.SPAN_CATEGORY = 'AGENT_RUN', h.{{ALTERNATE_KEY}}, NULL)), MAX(h.{{ALTERNATE_KEY}})) AS ALTERNATE_KEY
    FROM ({{> evaluation/production_history.sql}}) AS h
    WHERE h.RECORD_TYPE = 'SPAN' AND h.TRACE_ID IS NOT NULL
    GROUP BY h.AGENT_DATABASE, h.AGENT_SCHEMA, h.AGENT_NAME, h.TRACE_ID
),
estimates AS (
    SELECT
        m.AGENT_DATABASE, m.AGENT_SCHEMA, m.AGENT_NAME, m.TRACE_ID,
        SUM(m.ESTIMATED_CREDITS) AS ESTIMATED_CREDITS,
        SUM(m.INPUT_TOKENS + m.OUTPUT_TOKENS + m.CACHE_READ_TOKENS + m.CACHE_WRITE_TOKENS) AS TOKENS,
        COUNT(*) AS MODELS,
        BOOLAND_AGG(m.RATED) AS ALL_MODELS_RATED
    FROM {{ref COST_REQUEST_MODELS}} AS m
    GROUP BY m.AGENT_DATABASE, m.AGENT_SCHEMA, m.AGENT_NAME, m.TRACE_ID
)
SELECT
    s.AGENT_DATABASE, s.AGENT_SCHEMA, s.AGENT_NAME, s.TRACE_ID, s.REQUEST_TIME, s.USER_NAME, s.THREAD_ID,
    s.JOIN_KEY, s.ALTERNATE_KEY,
    CAST(COALESCE(e.ESTIMATED_CREDITS, 0) AS NUMBER(38, 9)) AS ESTIMATED_CREDITS,
    COALESCE(e.TOKENS, 0) AS TOKENS,
    COALESCE(e.MODELS, 0) AS MODELS,
    COALESCE(e.ALL_MODELS_RATED, TRUE) AS ALL_MODELS_RATED
FROM spans AS s
LEFT JOIN estimates AS e
    ON e.AGENT_DATABASE = s.AGENT_DATABASE AND e.AGENT_SCHEMA = s.AGENT_SCHEMA
   AND e.AGENT_NAME = s.AGENT_NAME AND e.TRACE_ID = s.TRACE_ID
