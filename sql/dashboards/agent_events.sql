-- AGENT_EVENTS: the realtime window (realtimeWindowHours) of AGENT_EVENTS_RECENT. Event
-- timestamps are UTC TIMESTAMP_NTZ, so "now" is SYSDATE() (UTC), not CURRENT_TIMESTAMP().
SELECT *
FROM {{ref AGENT_EVENTS_RECENT}}
WHERE EVENT_TIMESTAMP >= DATEADD('hour', -{{REALTIME_WINDOW_HOURS}}, SYSDATE())
