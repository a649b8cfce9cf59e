-- History rows from READ_FROM on (the including statement defines it: the start of its own window)
-- in AGENT_EVENTS_RECENT's columns, each row marked per whole trace like there, its trace's marks
-- looked for near the window only (evaluation/window_history.sql; the bound, its documentation
-- and its trade-off: evaluation/history_from.sql), so that a read does not grow with historyDays.
-- Event timestamps are UTC TIMESTAMP_NTZ, so an including statement's "now" is SYSDATE() (UTC),
-- not CURRENT_TIMESTAMP().
SELECT
{{> dashboards/event_columns.sql}}
FROM (
    {{> evaluation/window_history.sql}}
) AS h
