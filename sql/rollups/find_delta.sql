-- The history rows loaded since the last merge (LOADED_AT after the merged-through point),
-- aggregated once into the finest grain every rollup is a sum of: day, agent, user, span category,
-- and the model, tool and latency bucket where the category has one. Each rollup's merge reads
-- this table (a few rows per agent and day), never the history again. Every measure is mergeable:
-- counts and sums add, MIN/MAX, and distinct threads as an exported HLL state, which
-- HLL_COMBINE(HLL_IMPORT(..)) merges into the state of the union
-- (https://docs.snowflake.com/en/sql-reference/functions/hll_combine).
--
-- Exactly once: a row is merged by the run that first sees its LOADED_AT above the point, and the
-- point moves to the newest LOADED_AT merged in the same transaction as the merge
-- (advance_load_state.sql). That holds while the history's inserts commit in LOADED_AT order,
-- which is the load state's named assumption (README "How ingestion works": one ingestion at a
-- time, each insert a single statement stamping SYSDATE()).
--
-- Evaluation traffic is flagged, not dropped (day counts include it): a row is evaluation when it
-- or any row of its trace is marked (evaluation/history.sql), marks being looked for within a day
-- (TRACE_MARGIN_DAYS, lib/sql/traceMargin.ts) of the new rows (binds, new_days.sql): among the new rows' traces (find_new_traces.sql), and for
-- the rows merged before, in ROLLUP_MERGED_TRACES (a row per trace and day; HAS_MARK where marked
-- rows were merged) rather than the history's marked rows themselves. A mark arriving after its
-- trace's production rows were merged makes those days recompute in full (find_full_days.sql).
CREATE OR REPLACE TEMPORARY TABLE {{DELTA_TABLE}} AS
-- The point is bound as a constant so that the scan is pruned to it; the bound value has passed
-- through the driver, which may carry fewer fractional digits than TIMESTAMP_NTZ(9) holds, so it
-- only bounds the scan (from at or below the point), and the exact cut is against the stored point.
WITH NEW_ROWS AS (
    SELECT *
    FROM {{HISTORY_TABLE}}
    WHERE LOADED_AT >= CAST({{bind loaded_through}} AS TIMESTAMP_NTZ)
      AND LOADED_AT > (SELECT MAX(LOADED_THROUGH) FROM {{LOAD_STATE_TABLE}})
      AND LOADED_AT <= (SELECT MAX(LOADED_THROUGH) FROM {{NEW_TRACES_TABLE}})
),
MARKED_TRACES AS (
    SELECT AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, TRACE_ID
    FROM {{TRACES_TABLE}}
    WHERE HAS_MARK AND TRACE_ID IS NOT NULL
      AND DAY >= CAST({{bind near_from}} AS DATE)
      AND DAY < CAST({{bind near_until}} AS DATE)
    UNION
    SELECT AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, TRACE_ID
    FROM {{NEW_TRACES_TABLE}}
    WHERE HAS_MARK AND TRACE_ID IS NOT NULL
),
FLAGGED AS (
    SELECT
        TO_DATE(n.EVENT_TIMESTAMP) AS DAY, n.AGENT_DATABASE, n.AGENT_SCHEMA, n.AGENT_NAME,
        NOT COALESCE(n.IS_EVALUATION_EVENT, FALSE) AND t.TRACE_ID IS NULL AS IS_PRODUCTION,
        COALESCE(n.USER_NAME, n.USER_ID) AS USER_KEY,
        n.SPAN_CATEGORY,
        IFF(n.SPAN_CATEGORY = 'LLM_CALL', n.MODEL_NAME, NULL) AS MODEL_NAME,
        IFF(n.SPAN_CATEGORY IN ('TOOL_EXECUTION', 'RETRIEVAL'), COALESCE(n.TOOL_KIND, n.SPAN_CATEGORY), NULL) AS TOOL_KIND,
        IFF(n.SPAN_CATEGORY IN ('TOOL_EXECUTION', 'RETRIEVAL'), COALESCE(n.TOOL_NAME, ''), NULL) AS TOOL_NAME,
        n.SPAN_DURATION_MS, n.STATUS, n.PROMPT_TOKENS, n.COMPLETION_TOKENS, n.TOTAL_TOKENS,
        n.FEEDBACK_POSITIVE, n.EVENT_TIMESTAMP, n.THREAD_ID, n.LOADED_AT
    FROM NEW_ROWS AS n
    LEFT JOIN MARKED_TRACES AS t
        ON t.AGENT_DATABASE = n.AGENT_DATABASE AND t.AGENT_SCHEMA = n.AGENT_SCHEMA
       AND t.AGENT_NAME = n.AGENT_NAME AND t.TRACE_ID = n.TRACE_ID
)
SELECT
    DAY, AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, IS_PRODUCTION, USER_KEY, SPAN_CATEGORY, MODEL_NAME,
    TOOL_KIND, TOOL_NAME,
    -- Typed as AGENT_DAILY_LATENCY.BUCKET, so the stage's join on it needs no cast of the stored
    -- column (a cast there keeps the key from bounding the scan of the stored rows).
    CAST(IFF(SPAN_CATEGORY = 'AGENT_RUN' AND SPAN_DURATION_MS IS NOT NULL, {{> rollups/latency_bucket.sql}}, NULL) AS NUMBER(38, 0)) AS BUCKET,
    COUNT(*) AS EVENTS,
    COUNT_IF(STATUS = 'ERROR') AS ERROR_COUNT,
    COUNT_IF(STATUS IS NOT NULL) AS STATUS_COUNT,
    SUM(PROMPT_TOKENS) AS PROMPT_TOKENS,
    SUM(COMPLETION_TOKENS) AS COMPLETION_TOKENS,
    SUM(TOTAL_TOKENS) AS TOTAL_TOKENS,
    SUM(SPAN_DURATION_MS) AS DURATION_MS_SUM,
    COUNT(SPAN_DURATION_MS) AS DURATION_COUNT,
    COUNT_IF(FEEDBACK_POSITIVE = TRUE) AS FEEDBACK_POSITIVE,
    COUNT_IF(FEEDBACK_POSITIVE = FALSE) AS FEEDBACK_NEGATIVE,
    MIN(EVENT_TIMESTAMP) AS FIRST_EVENT,
    MAX(EVENT_TIMESTAMP) AS LAST_EVENT,
    HLL_EXPORT(HLL_ACCUMULATE(THREAD_ID)) AS THREADS_HLL,
    MIN(LOADED_AT) AS FIRST_LOADED_AT,
    MAX(LOADED_AT) AS LOADED_THROUGH
FROM FLAGGED
GROUP BY DAY, AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, IS_PRODUCTION, USER_KEY, SPAN_CATEGORY, MODEL_NAME,
         TOOL_KIND, TOOL_NAME,
         CAST(IFF(SPAN_CATEGORY = 'AGENT_RUN' AND SPAN_DURATION_MS IS NOT NULL, {{> rollups/latency_bucket.sql}}, NULL) AS NUMBER(38, 0))
