-- The turn-latency histogram per agent and calendar month (MONTH = its first UTC day), each
-- bucket with its representative duration as in agent_daily_latency_histogram.sql. Months before
-- the current one come from DT_AGENT_MONTHLY_LATENCY, so they are as of its last refresh (at most
-- the stack's dynamicTableTargetLagMinutes behind the daily rollups: a day recomputed late in a
-- closed month, or the month's last day just after it closed); the current month, which changes
-- with every rollup, is summed from the daily histograms here, so it is never behind them.
SELECT
    m.MONTH,
    m.AGENT_DATABASE || '.' || m.AGENT_SCHEMA || '.' || m.AGENT_NAME AS AGENT_FULL_NAME,
    m.AGENT_DATABASE,
    m.AGENT_SCHEMA,
    m.AGENT_NAME,
    m.BUCKET,
    IFF(m.BUCKET = 0, 0, POWER({{LATENCY_BUCKET_RATIO}}, m.BUCKET - 0.5)) AS LATENCY_MS,
    m.TURNS
FROM (
    SELECT MONTH, AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, BUCKET, TURNS
    FROM {{ref DT_AGENT_MONTHLY_LATENCY}}
    WHERE MONTH < DATE_TRUNC('month', SYSDATE())::DATE
    UNION ALL
    SELECT DATE_TRUNC('month', DAY)::DATE, AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, BUCKET, SUM(TURNS)
    FROM {{ref AGENT_DAILY_LATENCY}}
    WHERE DAY >= DATE_TRUNC('month', SYSDATE())::DATE
    GROUP BY DATE_TRUNC('month', DAY)::DATE, AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, BUCKET
) AS m
