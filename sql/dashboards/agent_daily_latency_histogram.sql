-- The turn-latency histogram per agent and UTC day, each bucket with its representative
-- duration: 0 for bucket 0 (under 1 ms), else R^(b-0.5) ms (R = {{LATENCY_BUCKET_RATIO}}), within a
-- factor sqrt(R) of every duration in the bucket. A percentile over any set of days is the
-- representative of the smallest bucket whose cumulative turns reach p x turns (at most 2.47 % off).
SELECT
    l.DAY,
    l.AGENT_DATABASE || '.' || l.AGENT_SCHEMA || '.' || l.AGENT_NAME AS AGENT_FULL_NAME,
    l.BUCKET,
    IFF(l.BUCKET = 0, 0, POWER({{LATENCY_BUCKET_RATIO}}, l.BUCKET - 0.5)) AS LATENCY_MS,
    l.TURNS
FROM {{ref AGENT_DAILY_LATENCY}} AS l
