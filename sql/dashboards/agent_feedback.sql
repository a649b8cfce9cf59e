-- One row per feedback event (thumbs up or down, with the user's optional comment), with the
-- outcome of the turn it rates. The question and answer the feedback is about are never
-- exposed; the turn is joined on the request id the feedback names. Feedback on an evaluation turn,
-- or marked as evaluation itself, is left out.
-- Feedback rows have RECORD:name = 'CORTEX_AGENT_FEEDBACK', VALUE positive, feedback_message,
-- categories and orig_request_id (https://docs.snowflake.com/en/user-guide/snowflake-cortex/cortex-agents-monitor).
SELECT
    f.AGENT_FULL_NAME,
    f.THREAD_ID,
    f.USER_ID,
    f.EVENT_TIMESTAMP,
    f.EVENT_HOUR,
    f.FEEDBACK_REQUEST_ID AS REQUEST_ID,
    f.FEEDBACK_POSITIVE,
    -- The comment only while the stack stores typed text (as THREAD_TIMELINE's search queries).
    IFF({{STORE_CONVERSATION_TEXT}}, f.FEEDBACK_MESSAGE, NULL) AS FEEDBACK_MESSAGE,
    t.STATUS AS TURN_STATUS,
    t.SPAN_DURATION_MS AS TURN_LATENCY_MS,
    f.FEEDBACK_CATEGORIES
FROM {{ref EVENTS}} AS f
LEFT JOIN {{ref EVENTS}} AS t
    ON t.SPAN_CATEGORY = 'AGENT_RUN'
   AND t.REQUEST_ID = f.FEEDBACK_REQUEST_ID
   AND t.AGENT_FULL_NAME = f.AGENT_FULL_NAME
WHERE f.SPAN_CATEGORY = 'FEEDBACK'
  AND NOT f.IS_EVALUATION
  AND NOT COALESCE(t.IS_EVALUATION, FALSE)
