-- How far apart the rows of one trace lie, over the traces of the last LOOKBACK_DAYS days in
-- AGENT_EVENTS_HISTORY: per (agent, TRACE_ID), the seconds from its first row to its last. The
-- realtime views look for a trace's evaluation marks only from the window start less
-- TRACE_MARGIN_DAYS (evaluation/history_from.sql, window_history.sql), and the rollups within a day of the rows
-- they recompute or merge; a trace spanning more than that may leave rows outside the bound
-- counted as production. A trace is one agent:run request, which times out after 15 minutes
-- (https://docs.snowflake.com/en/user-guide/snowflake-cortex/cortex-agents-run), a background run
-- after 6 hours (https://docs.snowflake.com/release-notes/2026/other/2026-08-30-cortex-agents-async-api-ga);
-- the SQL function DATA_AGENT_RUN and evaluation runs are documented with no limit, so this
-- measures it here.
-- A trace cut by the lookback start counts the part inside it (the bound is only ever short by that).
-- MAX_BY names the longest trace (https://docs.snowflake.com/en/sql-reference/functions/max_by).
-- One SELECT, no WITH: the doctor's read-only gate (doctor/readOnly.ts) lets only SELECT through.
SELECT COUNT(*) AS TRACES,
       COUNT_IF(t.SPAN_SECONDS > {{TRACE_MARGIN_DAYS}} * 86400) AS TRACES_BEYOND_MARGIN,
       MAX(t.SPAN_SECONDS) AS LONGEST_TRACE_SECONDS,
       MAX_BY(t.AGENT_DATABASE || '.' || t.AGENT_SCHEMA || '.' || t.AGENT_NAME || ' trace ' || t.TRACE_ID, t.SPAN_SECONDS) AS LONGEST_TRACE
FROM (
    SELECT AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, TRACE_ID,
           DATEDIFF('second', MIN(EVENT_TIMESTAMP), MAX(EVENT_TIMESTAMP)) AS SPAN_SECONDS
    FROM {{HISTORY}}
    WHERE TRACE_ID IS NOT NULL
      AND EVENT_TIMESTAMP >= DATEADD('day', -{{LOOKBACK_DAYS}}, SYSDATE())
    GROUP BY AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, TRACE_ID
) AS t
