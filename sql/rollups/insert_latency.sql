-- AGENT_DAILY_LATENCY for the selected days: turn durations counted per log bucket
-- (latency_bucket.sql). Bucket counts add up across days, so any period's percentiles come from
-- the summed histogram (rollup_period.sql), never from averaging daily percentiles.
INSERT INTO {{ROLLUP_TABLE}} (DAY, AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, BUCKET, TURNS)
SELECT DAY, AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, BUCKET, COUNT(*)
FROM (
    SELECT h.*, {{> rollups/latency_bucket.sql}} AS BUCKET
    FROM (
        {{> rollups/history_of_days.sql}}
    ) AS h
    WHERE SPAN_CATEGORY = 'AGENT_RUN' AND SPAN_DURATION_MS IS NOT NULL
) AS b
GROUP BY DAY, AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, BUCKET
