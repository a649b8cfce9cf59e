-- How late the stored events reached Wallmonitor: for every event loaded in the last
-- LOOKBACK_DAYS days that happened after its agent's first load (earlier ones are the initial
-- backfill, late by design), the time from EVENT_TIMESTAMP to LOADED_AT. That time is the wait
-- for the next cycle plus how late the event reached the event table. An agent is read from its
-- newest stored event less ingestOverlapMinutes (ingestion/read_from.sql), so an event that
-- arrives later than refreshIntervalMinutes + ingestOverlapMinutes after it happened is read
-- only while its agent has no newer event: LATE_EVENTS counts the ones that were stored that
-- way, and the same delay on a busy agent loses the event. Whether Snowflake documents a bound
-- on how late spans reach the event table is open; this measures it on the account.
-- The first loads are read over the whole history (one pass over three columns).
-- One SELECT, no WITH: the doctor's read-only gate (doctor/readOnly.ts) lets only SELECT through.
SELECT COUNT(*) AS EVENTS,
       COUNT_IF(DATEDIFF('second', h.EVENT_TIMESTAMP, h.LOADED_AT) > {{ALLOWED_MINUTES}} * 60) AS LATE_EVENTS,
       MAX(DATEDIFF('second', h.EVENT_TIMESTAMP, h.LOADED_AT)) AS MAX_DELAY_SECONDS
FROM {{HISTORY}} AS h
INNER JOIN (
    SELECT AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, MIN(LOADED_AT) AS FIRST_LOADED_AT
    FROM {{HISTORY}}
    GROUP BY AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME
) AS f
    ON f.AGENT_DATABASE = h.AGENT_DATABASE AND f.AGENT_SCHEMA = h.AGENT_SCHEMA AND f.AGENT_NAME = h.AGENT_NAME
WHERE h.LOADED_AT >= DATEADD('day', -{{LOOKBACK_DAYS}}, SYSDATE())
  AND h.EVENT_TIMESTAMP > f.FIRST_LOADED_AT
