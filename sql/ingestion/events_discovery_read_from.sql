-- Where this cycle's scan of the event table for new agents starts: where the last successful
-- scan started, less the overlap that catches late events, else (never scanned) the initial
-- lookback; never before the history kept. So each cycle scans about one refresh interval,
-- not the table. Also returns when this scan starts, which the next one reads from.
SELECT
    GREATEST(
        COALESCE(
            DATEADD('minute', -{{INGEST_OVERLAP_MINUTES}}, MAX(c.EVENTS_DISCOVERED_THROUGH)),
            DATEADD('second', -MAX(a.LOOKBACK_SECONDS), SYSDATE())),
        DATEADD('day', -MAX(a.HISTORY_DAYS), SYSDATE())) AS READ_FROM,
    SYSDATE() AS SCAN_STARTED
FROM (
    SELECT
        CAST(ROUND(CAST({{bind lookback_hours}} AS FLOAT) * 3600) AS INTEGER) AS LOOKBACK_SECONDS,
        CAST({{bind history_days}} AS INTEGER) AS HISTORY_DAYS
) AS a
LEFT JOIN {{CYCLE_STATE_TABLE}} AS c
    ON c.STATE_KEY = 'REFRESH'
