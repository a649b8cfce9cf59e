-- The traces of the history rows loaded since the last merge, a row per trace and day (and one per
-- agent and day for rows without a trace): whether the day holds rows of it without an evaluation
-- mark of their own, and with one. Read once from the history, then used where the rows
-- themselves are not needed: the span of their days, which bounds the mark lookups as binds
-- (new_days.sql); the new marks the late-mark check starts from (find_full_days.sql); and the
-- rows record_traces.sql adds to ROLLUP_MERGED_TRACES. LOADED_THROUGH: the newest row of the
-- trace and day; find_delta.sql reads no row newer than the newest here, so both see the same rows.
-- The point is compared as stored, the bind only bounding the scan (find_delta.sql says why).
CREATE OR REPLACE TEMPORARY TABLE {{NEW_TRACES_TABLE}} AS
SELECT
    TO_DATE(EVENT_TIMESTAMP) AS DAY, AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, TRACE_ID,
    COUNT_IF(NOT COALESCE(IS_EVALUATION_EVENT, FALSE)) > 0 AS HAS_UNMARKED,
    COUNT_IF(IS_EVALUATION_EVENT) > 0 AS HAS_MARK,
    MAX(LOADED_AT) AS LOADED_THROUGH
FROM {{HISTORY_TABLE}}
WHERE LOADED_AT >= CAST({{bind loaded_through}} AS TIMESTAMP_NTZ)
  AND LOADED_AT > (SELECT MAX(LOADED_THROUGH) FROM {{LOAD_STATE_TABLE}})
GROUP BY TO_DATE(EVENT_TIMESTAMP), AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, TRACE_ID
