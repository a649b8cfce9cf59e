-- How much of the overlap the events Wallmonitor did store needed: for every event loaded in the
-- last LOOKBACK_DAYS days that happened after its agent's first load (earlier ones are the
-- initial backfill, late by design), the time from EVENT_TIMESTAMP to LOADED_AT. An event
-- already in the event table when a cycle ran is loaded within one refresh interval, so one
-- loaded more than INTERVAL_MINUTES after it happened reached the event table late and was
-- caught only by ingestOverlapMinutes. A stored event was not lost, whatever its delay; the
-- events the overlap failed to catch are counted by doctor/missed_events.sql. Whether Snowflake
-- documents a bound on how late spans reach the event table is open; this measures it here.
-- One SELECT, no WITH: the doctor's read-only gate (doctor/readOnly.ts) lets only SELECT through.
SELECT COUNT(*) AS EVENTS,
       COUNT_IF(DATEDIFF('second', h.EVENT_TIMESTAMP, h.LOADED_AT) > {{INTERVAL_MINUTES}} * 60) AS EVENTS_NEEDING_OVERLAP,
       MAX(DATEDIFF('second', h.EVENT_TIMESTAMP, h.LOADED_AT)) AS MAX_DELAY_SECONDS
FROM {{HISTORY}} AS h
INNER JOIN (
    {{> doctor/first_loads.sql}}
) AS f
    ON f.AGENT_DATABASE = h.AGENT_DATABASE AND f.AGENT_SCHEMA = h.AGENT_SCHEMA AND f.AGENT_NAME = h.AGENT_NAME
WHERE h.LOADED_AT >= DATEADD('day', -{{LOOKBACK_DAYS}}, SYSDATE())
  AND h.EVENT_TIMESTAMP > f.FIRST_LOADED_AT
