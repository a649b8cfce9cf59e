-- The daily turn-latency histograms summed per agent and calendar month (MONTH = its first day).
-- Histograms add exactly, so a month's row is what its days' rows give; a 12-month percentile
-- then reads about one row per agent, month and bucket instead of one per agent, day and bucket.
-- INCREMENTAL: a GROUP BY of SUM over one table, which incremental refresh supports
-- (https://docs.snowflake.com/en/user-guide/dynamic-tables/supported-queries,
-- https://docs.snowflake.com/en/user-guide/dynamic-tables-refresh); a day the rollup recomputes
-- (delete and insert) or retention drops changes only its month's rows.
SELECT
    DATE_TRUNC('month', l.DAY)::DATE AS MONTH,
    l.AGENT_DATABASE,
    l.AGENT_SCHEMA,
    l.AGENT_NAME,
    l.BUCKET,
    SUM(l.TURNS) AS TURNS
FROM {{ref AGENT_DAILY_LATENCY}} AS l
GROUP BY DATE_TRUNC('month', l.DAY)::DATE, l.AGENT_DATABASE, l.AGENT_SCHEMA, l.AGENT_NAME, l.BUCKET
