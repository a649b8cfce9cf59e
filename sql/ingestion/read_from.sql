-- Where one refresh starts reading an agent, never before the history kept:
-- 1. an agent with events: the later of its watermark (newest event loaded) and, if its last
--    refresh succeeded, that read's start (LAST_READ_STARTED_AT, taken before it read anything),
--    less the overlap that catches late events. After a failed refresh it is read from its
--    watermark less the overlap, which covers the failed read's window;
-- 2. an agent without events yet whose last refresh succeeded: that read's start less the
--    overlap (an idle agent is read on from there, so a gap longer than the lookback loses
--    nothing, and each cycle reads only the time since the last one);
-- 3. an agent never read successfully: where its first attempt started (LAST_READ_FROM,
--    kept by a failed attempt), so an agent failing since registration loses nothing;
-- 4. the initial lookback, for an agent never tried.
-- An agent whose last success a release before LAST_READ_STARTED_AT recorded has no read start:
-- it is read once from its watermark less the overlap, or, without events, from LAST_READ_FROM
-- (where that read's window began; last_ok_read_started.sql says why).
-- The late-event trade-off (read_points.sql states the same rule for every agent at once): an
-- event is loaded if its TIMESTAMP is no older than the last successful refresh's start less
-- ingestOverlapMinutes when it reaches the event table. So an event up to ingestOverlapMinutes
-- late is always loaded, for a busy agent and a quiet one alike, and one that arrives after a
-- successful refresh started more than ingestOverlapMinutes after its TIMESTAMP is not read.
-- Reading a quiet agent from its last event instead (hours back) would keep its late events too,
-- but would make the one pass of the event-table path re-read those hours of every agent's events
-- each cycle; each cycle reads one refresh interval plus the overlap instead.
-- ASSUMPTION (open: Snowflake documents no delay between a Cortex Agent event's TIMESTAMP and
-- its arrival in the event table): events arrive within ingestOverlapMinutes. `npm run doctor`
-- measures, on a real account, how late loaded events arrived and which overlap they need.
-- Event TIMESTAMPs and SYSDATE() are both UTC, so they compare:
-- https://docs.snowflake.com/en/developer-guide/logging-tracing/event-table-columns
-- https://docs.snowflake.com/en/sql-reference/functions/sysdate
-- READ_STARTED is when this read starts, which the success records as LAST_READ_STARTED_AT.
SELECT GREATEST(
           COALESCE(
               DATEADD('minute', -{{INGEST_OVERLAP_MINUTES}},
                       COALESCE(GREATEST(MAX(s.LAST_EVENT_TIMESTAMP), MAX(s.LAST_OK_READ_STARTED_AT)),
                                MAX(s.LAST_EVENT_TIMESTAMP), MAX(s.LAST_OK_READ_STARTED_AT))),
               MAX(s.LAST_READ_FROM),
               DATEADD('second', -MAX(a.LOOKBACK_SECONDS), SYSDATE())),
           DATEADD('day', -MAX(a.HISTORY_DAYS), SYSDATE())) AS READ_FROM,
       SYSDATE() AS READ_STARTED
FROM (
    SELECT
        CAST(ROUND(CAST({{bind lookback_hours}} AS FLOAT) * 3600) AS INTEGER) AS LOOKBACK_SECONDS,
        CAST({{bind history_days}} AS INTEGER) AS HISTORY_DAYS,
        CAST({{bind agent_database}} AS VARCHAR) AS AGENT_DATABASE,
        CAST({{bind agent_schema}} AS VARCHAR) AS AGENT_SCHEMA,
        CAST({{bind agent_name}} AS VARCHAR) AS AGENT_NAME
) AS a
LEFT JOIN (
    SELECT AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, LAST_EVENT_TIMESTAMP, LAST_READ_FROM,
           {{> ingestion/last_ok_read_started.sql}} AS LAST_OK_READ_STARTED_AT
    FROM {{INGEST_STATE_TABLE}}
) AS s
    ON s.AGENT_DATABASE = a.AGENT_DATABASE AND s.AGENT_SCHEMA = a.AGENT_SCHEMA AND s.AGENT_NAME = a.AGENT_NAME
