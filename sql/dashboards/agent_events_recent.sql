-- AGENT_EVENTS_RECENT: every event in the history (retention keeps it to historyDays), with
-- the reference's derived columns. Conversation text is never exposed here, only RAW_ATTRIBUTES,
-- which is NULL unless storeConversationText is on.
-- Evaluation runs are kept here, marked per whole trace (IS_EVALUATION, EVALUATION_RUN_NAME; see
-- evaluation/history.sql): every production view over this one reads `NOT IS_EVALUATION`, and
-- EVALUATION_RUNS reads `IS_EVALUATION`.
SELECT
    h.AGENT_DATABASE,
    h.AGENT_SCHEMA,
    h.AGENT_NAME,
    h.AGENT_DATABASE || '.' || h.AGENT_SCHEMA || '.' || h.AGENT_NAME AS AGENT_FULL_NAME,
    h.EVENT_TIMESTAMP,
    h.START_TIMESTAMP,
    DATE_TRUNC('hour', h.EVENT_TIMESTAMP) AS EVENT_HOUR,
    TO_DATE(h.EVENT_TIMESTAMP) AS EVENT_DATE,
    h.RECORD_TYPE,
    h.EVENT_NAME,
    h.SPAN_NAME,
    h.SPAN_CATEGORY,
    h.SPAN_ID,
    h.TRACE_ID,
    h.PARENT_SPAN_ID,
    h.REQUEST_ID,
    h.AGENT_ID,
    h.THREAD_ID,
    -- The reference's user_id: the login name, or the numeric id when the name is missing.
    COALESCE(h.USER_NAME, h.USER_ID) AS USER_ID,
    h.MODEL_NAME,
    h.PROMPT_TOKENS,
    h.COMPLETION_TOKENS,
    h.TOTAL_TOKENS,
    h.CACHE_READ_TOKENS,
    h.CACHE_WRITE_TOKENS,
    h.SPAN_DURATION_MS,
    h.TOOL_KIND,
    h.TOOL_NAME,
    h.RETRIEVAL_QUERY,
    h.STATUS,
    h.STATUS_CODE,
    h.ERROR_MESSAGE,
    h.FEEDBACK_POSITIVE,
    h.FEEDBACK_MESSAGE,
    h.FEEDBACK_REQUEST_ID,
    h.RAW_ATTRIBUTES,
    h.LOADED_AT,
    h.IS_EVALUATION,
    h.EVALUATION_RUN_NAME,
    h.OBSERVABILITY_SPAN_TYPE,
    h.FEEDBACK_CATEGORIES,
    h.RESPONSE_TIME_MS
FROM (
    {{> evaluation/history.sql}}
) AS h
