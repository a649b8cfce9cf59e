-- The production history rows of the selected days. Evaluation traffic is left out of every
-- rollup by evaluation/history.sql's rule (a row is evaluation when it, or any row of its trace,
-- is marked); the EVALUATION_RUNS view counts it instead.
--
-- The read is bounded to the selected days by a range join on EVENT_TIMESTAMP itself, below the
-- outer join that applies the rule, instead of reading evaluation/history.sql's outer join over
-- the whole table and bounding its result: that way an insert's own filter (LLM_CALL rows,
-- AGENT_RUN rows) could turn the plan around and leave the scan of that category unbounded, and
-- MODEL_DAILY_ROLLUP and AGENT_DAILY_LATENCY read more the longer the history was
-- (test/sql/test_rollup_reads.py). A range on the column is also what lets Snowflake prune
-- micro-partitions by their EVENT_TIMESTAMP min/max
-- (https://docs.snowflake.com/en/user-guide/tables-clustering-micropartitions).
-- Marks are looked for within a day of the selected days, the window find_days.sql looks for a
-- mark's trace in: a trace is one request, and its rows lie within TRACE_MARGIN_DAYS (one day;
-- lib/sql/traceMargin.ts, where the bound and its documentation are) of its marks.
SELECT h.*, s.DAY
FROM {{HISTORY_TABLE}} AS h
INNER JOIN {{DAYS_TABLE}} AS s
    ON h.EVENT_TIMESTAMP >= s.DAY AND h.EVENT_TIMESTAMP < DATEADD('day', 1, s.DAY)
LEFT JOIN (
    SELECT AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, TRACE_ID
    FROM {{HISTORY_TABLE}}
    WHERE IS_EVALUATION_EVENT AND TRACE_ID IS NOT NULL
      AND EVENT_TIMESTAMP >= (SELECT DATEADD('day', -{{TRACE_MARGIN_DAYS}}, MIN(DAY)) FROM {{DAYS_TABLE}})
      AND EVENT_TIMESTAMP < (SELECT DATEADD('day', {{TRACE_MARGIN_DAYS}} + 1, MAX(DAY)) FROM {{DAYS_TABLE}})
    GROUP BY AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, TRACE_ID
) AS t
    ON t.AGENT_DATABASE = h.AGENT_DATABASE AND t.AGENT_SCHEMA = h.AGENT_SCHEMA
   AND t.AGENT_NAME = h.AGENT_NAME AND t.TRACE_ID = h.TRACE_ID
WHERE NOT COALESCE(h.IS_EVALUATION_EVENT, FALSE) AND t.TRACE_ID IS NULL
