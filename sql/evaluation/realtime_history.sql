-- The history rows of the realtime window (realtimeWindowHours) with the verdict on their whole
-- trace: history_from.sql's rule from the window start, its marks looked for from the window
-- start less TRACE_MARGIN_DAYS (the bound, its documentation and its trade-off are there).
-- Event timestamps are UTC TIMESTAMP_NTZ, so "now" is SYSDATE() (UTC), not CURRENT_TIMESTAMP().
{{expr READ_FROM = DATEADD('hour', -{{REALTIME_WINDOW_HOURS}}, SYSDATE())}}
{{> evaluation/history_from.sql}}
