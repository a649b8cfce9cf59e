-- Fills ROLLUP_MERGED_TRACES from the history up to the merged-through point, as record_traces.sql
-- records each merge: after a full recompute starts the point (the first run), and once when the
-- table is found empty with a point set (a deployment whose rollups merged before the table
-- existed). Only the days expire_traces.sql keeps.
INSERT INTO {{TRACES_TABLE}} (DAY, AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, TRACE_ID, HAS_UNMARKED, HAS_MARK)
SELECT
    TO_DATE(EVENT_TIMESTAMP), AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, TRACE_ID,
    COUNT_IF(NOT COALESCE(IS_EVALUATION_EVENT, FALSE)) > 0,
    COUNT_IF(IS_EVALUATION_EVENT) > 0
FROM {{HISTORY_TABLE}}
WHERE LOADED_AT <= (SELECT MAX(LOADED_THROUGH) FROM {{LOAD_STATE_TABLE}})
  AND EVENT_TIMESTAMP >= DATEADD('day', -CAST({{bind history_days}} AS INTEGER) - 1, TO_DATE(SYSDATE()))
GROUP BY TO_DATE(EVENT_TIMESTAMP), AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, TRACE_ID
