-- AGENT_EVENTS: the realtime window (realtimeWindowHours) of the history, in AGENT_EVENTS_RECENT's
-- columns, each row marked per whole trace like there, its trace's marks looked for near the
-- window only (evaluation/realtime_history.sql), so that a read does not grow with historyDays.
SELECT
{{> dashboards/event_columns.sql}}
FROM (
    {{> evaluation/realtime_history.sql}}
) AS h
