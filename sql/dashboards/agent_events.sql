-- AGENT_EVENTS: the realtime window (realtimeWindowHours) of the history, in AGENT_EVENTS_RECENT's
-- columns, each row marked per whole trace (dashboards/events_from.sql).
{{expr READ_FROM = DATEADD('hour', -{{REALTIME_WINDOW_HOURS}}, SYSDATE())}}
{{> dashboards/events_from.sql}}
