-- One row: the stack's windows and schedule, so the dashboard picks the realtime or the
-- *_RECENT views, judges staleness and names the refresh task from the deployment itself,
-- not from a copy of its config. STORE_CONVERSATION_TEXT tells the pages that show typed text
-- (search queries, feedback comments) whether an empty cell means "none" or "not stored".
SELECT
    {{REALTIME_WINDOW_HOURS}} AS REALTIME_WINDOW_HOURS,
    {{HISTORY_DAYS}} AS HISTORY_DAYS,
    {{REFRESH_INTERVAL_MINUTES}} AS REFRESH_INTERVAL_MINUTES,
    {{DYNAMIC_TABLE_TARGET_LAG_MINUTES}} AS DYNAMIC_TABLE_TARGET_LAG_MINUTES,
    {{REFRESH_TASK}} AS REFRESH_TASK,
    {{STORE_CONVERSATION_TEXT}} AS STORE_CONVERSATION_TEXT
