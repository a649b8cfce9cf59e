-- One row per agent and evaluation run: the traffic evaluation runs wrote into the event table,
-- which every production view, rollup, alert and cost figure leaves out. A trace is evaluation when
-- any of its events is marked (an evaluation span type or a run name; evaluation/history.sql);
-- RUN_NAME is NULL for traces marked by span type only. Covers the raw history (historyDays).
-- Tokens are those of the LLM calls of the evaluated turns (the judges' own calls carry no
-- planning token counts); cache reads and writes are reported beside them.
SELECT
    AGENT_FULL_NAME,
    AGENT_DATABASE,
    AGENT_SCHEMA,
    AGENT_NAME,
    EVALUATION_RUN_NAME AS RUN_NAME,
    COUNT(DISTINCT TRACE_ID) AS TRACES,
    COUNT_IF(SPAN_CATEGORY = 'AGENT_RUN') AS TURNS,
    COUNT_IF(SPAN_CATEGORY = 'AGENT_RUN' AND STATUS = 'ERROR') AS FAILED_TURNS,
    COUNT_IF(RECORD_TYPE = 'SPAN') AS SPANS,
    COUNT_IF(SPAN_CATEGORY = 'EVALUATION') AS EVALUATION_SPANS,
    COUNT_IF(SPAN_CATEGORY = 'LLM_CALL') AS LLM_CALLS,
    COALESCE(SUM(PROMPT_TOKENS), 0) AS TOTAL_PROMPT_TOKENS,
    COALESCE(SUM(COMPLETION_TOKENS), 0) AS TOTAL_COMPLETION_TOKENS,
    COALESCE(SUM(TOTAL_TOKENS), 0) AS TOTAL_TOKENS,
    COALESCE(SUM(CACHE_READ_TOKENS), 0) AS TOTAL_CACHE_READ_TOKENS,
    COALESCE(SUM(CACHE_WRITE_TOKENS), 0) AS TOTAL_CACHE_WRITE_TOKENS,
    COUNT_IF(STATUS = 'ERROR') AS ERROR_COUNT,
    AVG(IFF(SPAN_CATEGORY = 'AGENT_RUN', SPAN_DURATION_MS, NULL)) AS AVG_TURN_LATENCY_MS,
    MIN(EVENT_TIMESTAMP) AS FIRST_EVENT,
    MAX(EVENT_TIMESTAMP) AS LAST_EVENT
FROM {{ref EVENTS}}
WHERE IS_EVALUATION
GROUP BY AGENT_FULL_NAME, AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, EVALUATION_RUN_NAME
