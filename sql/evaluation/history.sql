-- Every history row with the verdict on its whole trace: IS_EVALUATION is TRUE when the row
-- itself is marked (IS_EVALUATION_EVENT: an evaluation span type or a run name) or when any row
-- of its trace is, whichever cycle loaded that row; EVALUATION_RUN_NAME is the trace's run name.
-- Rows without a trace (feedback, CORTEX_AGENT_REQUEST) go by their own mark. Rows loaded before
-- IS_EVALUATION_EVENT existed are production.
-- Evaluation runs write spans into the same event table as production (snowflake-access.md, "Live
-- event shapes"); production figures read `NOT IS_EVALUATION` (production_history.sql), and the
-- EVALUATION_RUNS view reads `IS_EVALUATION`.
-- An outer equi-join to a grouped subquery, not EXISTS: a dynamic table over it still refreshes
-- incrementally (https://docs.snowflake.com/en/user-guide/dynamic-tables-supported-queries).
-- The grouped side reads only marked rows; evaluation runs come in bursts, so their rows sit in few
-- micro-partitions and the filter on IS_EVALUATION_EVENT prunes the rest. It reads them over the
-- whole history, whatever the reader's own filter: a read bounded in time applies the rule with
-- its marks bounded too (history_from.sql, behind the realtime views and, as
-- production_history_from.sql, the alert rules, the SLO views and the version turns; the rollups'
-- history_of_days.sql and find_delta.sql). This whole-history form is for AGENT_EVENTS_RECENT and
-- EVALUATION_RUNS, which read the whole history.
SELECT
    h.*,
    (COALESCE(h.IS_EVALUATION_EVENT, FALSE) OR t.TRACE_ID IS NOT NULL) AS IS_EVALUATION,
    COALESCE(h.RUN_NAME, t.RUN_NAME) AS EVALUATION_RUN_NAME
FROM {{HISTORY_TABLE}} AS h
LEFT JOIN (
    SELECT AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, TRACE_ID, MAX(RUN_NAME) AS RUN_NAME
    FROM {{HISTORY_TABLE}}
    WHERE IS_EVALUATION_EVENT AND TRACE_ID IS NOT NULL
    GROUP BY AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, TRACE_ID
) AS t
    ON t.AGENT_DATABASE = h.AGENT_DATABASE AND t.AGENT_SCHEMA = h.AGENT_SCHEMA
   AND t.AGENT_NAME = h.AGENT_NAME AND t.TRACE_ID = h.TRACE_ID
