-- Where one refresh starts reading an agent, never before the history kept:
-- 1. its watermark (newest event loaded) less the overlap that catches late events;
-- 2. an agent without events yet whose last refresh succeeded: when that refresh ran, less
--    the overlap (an idle agent is read on from there, so a gap longer than the lookback
--    loses nothing, and each cycle reads only the time since the last one);
-- 3. an agent never read successfully: where its first attempt started (LAST_READ_FROM,
--    kept by a failed attempt), so an agent failing since registration loses nothing;
-- 4. the initial lookback, for an agent never tried.
SELECT GREATEST(
           COALESCE(
               DATEADD('minute', -{{INGEST_OVERLAP_MINUTES}}, MAX(s.LAST_EVENT_TIMESTAMP)),
               DATEADD('minute', -{{INGEST_OVERLAP_MINUTES}},
                       MAX(IFF(s.LAST_REFRESH_STATUS = 'OK', s.LAST_REFRESH_AT, NULL))),
               MAX(s.LAST_READ_FROM),
               DATEADD('second', -MAX(a.LOOKBACK_SECONDS), SYSDATE())),
           DATEADD('day', -MAX(a.HISTORY_DAYS), SYSDATE())) AS READ_FROM
FROM (
    SELECT
        CAST(ROUND(CAST({{bind lookback_hours}} AS FLOAT) * 3600) AS INTEGER) AS LOOKBACK_SECONDS,
        CAST({{bind history_days}} AS INTEGER) AS HISTORY_DAYS,
        CAST({{bind agent_database}} AS VARCHAR) AS AGENT_DATABASE,
        CAST({{bind agent_schema}} AS VARCHAR) AS AGENT_SCHEMA,
        CAST({{bind agent_name}} AS VARCHAR) AS AGENT_NAME
) AS a
LEFT JOIN {{INGEST_STATE_TABLE}} AS s
    ON s.AGENT_DATABASE = a.AGENT_DATABASE AND s.AGENT_SCHEMA = a.AGENT_SCHEMA AND s.AGENT_NAME = a.AGENT_NAME
