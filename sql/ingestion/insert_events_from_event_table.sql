-- Loads every active agent's new events in ONE pass over the event table, each agent from its
-- own read-from point (read_points.sql: watermark less the overlap, as read_from.sql), each
-- event exactly once: an event whose key the history already holds is skipped. Parsed by the
-- same parsed_events.sql as the per-agent insert, so the two paths cannot disagree on a column.
-- Only Cortex Agent rows of registered, active agents are read: the event table also holds
-- Cortex Search logs, external agents and agents excluded from or deactivated in the registry.
-- Agents are matched on their identity attributes, as GET_AI_OBSERVABILITY_EVENTS matches them.
-- Binds: 1 lookback hours, 2 history days.
INSERT INTO {{HISTORY_TABLE}} (
    EVENT_KEY, AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, EVENT_TIMESTAMP, START_TIMESTAMP,
    RECORD_TYPE, EVENT_NAME, SPAN_NAME, SPAN_CATEGORY, SPAN_ID, TRACE_ID, PARENT_SPAN_ID,
    RECORD_ID, REQUEST_ID, THREAD_ID, AGENT_ID, USER_ID, USER_NAME, MODEL_NAME,
    PROMPT_TOKENS, COMPLETION_TOKENS, TOTAL_TOKENS, CACHE_READ_TOKENS, CACHE_WRITE_TOKENS,
    SPAN_DURATION_MS, TOOL_KIND, TOOL_NAME, RETRIEVAL_QUERY, STATUS, STATUS_CODE, ERROR_MESSAGE,
    FEEDBACK_POSITIVE, FEEDBACK_MESSAGE, FEEDBACK_CATEGORIES, FEEDBACK_REQUEST_ID,
    QUESTION_TEXT, ANSWER_TEXT, RAW_ATTRIBUTES, LOADED_AT
)
SELECT
    e.EVENT_KEY, e.AGENT_DATABASE, e.AGENT_SCHEMA, e.AGENT_NAME, e.EVENT_TIMESTAMP, e.START_TIMESTAMP,
    e.RECORD_TYPE, e.EVENT_NAME, e.SPAN_NAME, e.SPAN_CATEGORY, e.SPAN_ID, e.TRACE_ID, e.PARENT_SPAN_ID,
    e.RECORD_ID, e.REQUEST_ID, e.THREAD_ID, e.AGENT_ID, e.USER_ID, e.USER_NAME, e.MODEL_NAME,
    e.PROMPT_TOKENS, e.COMPLETION_TOKENS, e.TOTAL_TOKENS, e.CACHE_READ_TOKENS, e.CACHE_WRITE_TOKENS,
    e.SPAN_DURATION_MS, e.TOOL_KIND, e.TOOL_NAME, e.RETRIEVAL_QUERY, e.STATUS, e.STATUS_CODE, e.ERROR_MESSAGE,
    e.FEEDBACK_POSITIVE, e.FEEDBACK_MESSAGE, e.FEEDBACK_CATEGORIES, e.FEEDBACK_REQUEST_ID,
    e.QUESTION_TEXT, e.ANSWER_TEXT, e.RAW_ATTRIBUTES, SYSDATE()
FROM (
    WITH READ_POINTS AS (
        {{> ingestion/read_points.sql}}
    ),
    SOURCE_EVENTS AS (
        SELECT
            r.AGENT_DATABASE AS SOURCE_AGENT_DATABASE,
            r.AGENT_SCHEMA AS SOURCE_AGENT_SCHEMA,
            r.AGENT_NAME AS SOURCE_AGENT_NAME,
            e.*
        FROM SNOWFLAKE.LOCAL.AI_OBSERVABILITY_EVENTS AS e
        INNER JOIN READ_POINTS AS r
            ON e.RECORD_ATTRIBUTES:"snow.ai.observability.database.name"::STRING = r.AGENT_DATABASE
           AND e.RECORD_ATTRIBUTES:"snow.ai.observability.schema.name"::STRING = r.AGENT_SCHEMA
           AND e.RECORD_ATTRIBUTES:"snow.ai.observability.object.name"::STRING = r.AGENT_NAME
        WHERE e.RECORD_ATTRIBUTES:"snow.ai.observability.object.type"::STRING = 'Cortex Agent'
          AND e.TIMESTAMP >= r.READ_FROM
    )
    {{> ingestion/parsed_events.sql}}
) AS e
WHERE NOT EXISTS (SELECT 1 FROM {{HISTORY_TABLE}} AS h WHERE h.EVENT_KEY = e.EVENT_KEY)
