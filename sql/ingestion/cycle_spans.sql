-- The production spans this cycle loaded, with the span kind the shape coverage counts by.
-- Bounded by LOADED_AT like the cycle's own writes: rows are appended in load order, so the
-- micro-partitions' LOADED_AT ranges let Snowflake prune everything older than the cycle
-- (https://docs.snowflake.com/en/user-guide/tables-clustering-micropartitions).
SELECT h.AGENT_DATABASE, h.AGENT_SCHEMA, h.AGENT_NAME, h.SPAN_NAME, h.SPAN_CATEGORY,
       CASE
           WHEN h.SPAN_CATEGORY = 'AGENT_RUN' THEN 'ROOT'
           WHEN h.SPAN_CATEGORY = 'LLM_CALL' AND h.SPAN_NAME LIKE 'ReasoningAgentStepPlanning-%' THEN 'PLANNING'
           WHEN h.SPAN_CATEGORY = 'TOOL_EXECUTION' THEN 'TOOL'
           ELSE 'OTHER'
       END AS SPAN_KIND,
       h.THREAD_ID, h.STATUS_CODE, h.MODEL_NAME, h.PROMPT_TOKENS, h.COMPLETION_TOKENS, h.TOOL_NAME
FROM {{HISTORY_TABLE}} AS h
WHERE h.LOADED_AT >= CAST({{bind cycle_started}} AS TIMESTAMP_NTZ)
    AND h.RECORD_TYPE = 'SPAN'
    AND NOT COALESCE(h.IS_EVALUATION_EVENT, FALSE)
