-- When each agent's first stored event was loaded: the end of its initial backfill, whose events
-- are late by design. Shared by read_points.sql (where missed events are counted from) and
-- event_lateness.sql (which events' delays are measured), so the two leave out the same backfill.
-- Read over the whole history (one pass over four columns).
SELECT AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, MIN(LOADED_AT) AS FIRST_LOADED_AT
FROM {{HISTORY}}
GROUP BY AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME
