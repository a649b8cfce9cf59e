-- Every event of every thread in order, for the drill-down of one thread's turns and spans.
-- Production threads only, like THREAD_ACTIVITY that leads to them.
SELECT
    THREAD_ID,
    AGENT_FULL_NAME,
    EVENT_TIMESTAMP,
    SPAN_NAME,
    SPAN_CATEGORY,
    SPAN_ID,
    TRACE_ID,
    MODEL_NAME,
    TOTAL_TOKENS,
    PROMPT_TOKENS,
    COMPLETION_TOKENS,
    SPAN_DURATION_MS,
    TOOL_NAME,
    -- Typed text (a search query, Analyst SQL) only while the stack stores it: rows loaded before
    -- storeConversationText was turned off keep theirs in the history, the viewer no longer sees it.
    IFF({{STORE_CONVERSATION_TEXT}}, RETRIEVAL_QUERY, NULL) AS RETRIEVAL_QUERY,
    STATUS,
    ERROR_MESSAGE,
    ROW_NUMBER() OVER (
        PARTITION BY AGENT_FULL_NAME, THREAD_ID
        ORDER BY COALESCE(START_TIMESTAMP, EVENT_TIMESTAMP), EVENT_TIMESTAMP, SPAN_ID, EVENT_NAME) AS EVENT_SEQUENCE,
    DATEDIFF('millisecond',
        MIN(COALESCE(START_TIMESTAMP, EVENT_TIMESTAMP)) OVER (PARTITION BY AGENT_FULL_NAME, THREAD_ID),
        COALESCE(START_TIMESTAMP, EVENT_TIMESTAMP)) / 1000 AS SECONDS_SINCE_THREAD_START,
    START_TIMESTAMP,
    PARENT_SPAN_ID,
    REQUEST_ID,
    TOOL_KIND,
    USER_ID
FROM {{ref EVENTS}}
WHERE THREAD_ID IS NOT NULL
  AND NOT IS_EVALUATION
