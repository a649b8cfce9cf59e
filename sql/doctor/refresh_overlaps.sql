-- REFRESH_AGENT_EVENTS calls in the last 7 days that started before an earlier call had ended:
-- the task's own runs and any manual CALL beside them. The incremental rollup assumes history
-- inserts commit in LOADED_AT order, which holds only while no two refreshes run at once.
-- INFORMATION_SCHEMA.QUERY_HISTORY keeps 7 days and has no latency; ACCOUNT_USAGE.QUERY_HISTORY
-- keeps a year but lags (45 minutes to 3 hours across Account Usage views) and needs a SNOWFLAKE
-- database role
-- (https://docs.snowflake.com/en/sql-reference/functions/query_history,
-- https://docs.snowflake.com/en/sql-reference/account-usage#differences-between-account-usage-and-information-schema).
-- Which other users' queries (the task's, run as SYSTEM) the role sees is not documented on the
-- function's page: CALLS says how many it saw, so seeing none is reported, not passed.
-- Running calls count (no END_TIME_RANGE_END): their END_TIME is NULL, read as still running.
-- A call overlaps when it starts before the latest end of the calls that started before it.
SELECT COUNT(*) AS CALLS,
       COUNT_IF(c.EARLIER_END > c.START_TIME) AS OVERLAPPING_CALLS,
       MIN(IFF(c.EARLIER_END > c.START_TIME, c.START_TIME, NULL)) AS FIRST_OVERLAP_AT
FROM (
    SELECT r.START_TIME, LAG(r.LATEST_END) OVER (ORDER BY r.START_TIME, r.QUERY_ID) AS EARLIER_END
    FROM (
        SELECT q.QUERY_ID, q.START_TIME,
               MAX(COALESCE(q.END_TIME, CURRENT_TIMESTAMP())) OVER (
                   ORDER BY q.START_TIME, q.QUERY_ID ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS LATEST_END
        FROM TABLE({{INFORMATION_SCHEMA}}.QUERY_HISTORY(
            END_TIME_RANGE_START => DATEADD('day', -7, CURRENT_TIMESTAMP()),
            RESULT_LIMIT => 10000)) AS q
        -- The task's text starts with its comment lines, so the CALL is matched anywhere in it; this
        -- statement's own text names QUERY_HISTORY, a CALL of the procedure never does.
        WHERE q.QUERY_TEXT ILIKE {{CALL_PATTERN}}
          AND q.QUERY_TEXT NOT ILIKE '%QUERY_HISTORY(%'
    ) AS r
) AS c
