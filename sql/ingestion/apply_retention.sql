-- Drops history older than the configured number of days. Bind: 1 history days.
DELETE FROM {{HISTORY_TABLE}}
WHERE EVENT_TIMESTAMP < DATEADD('day', -CAST(? AS INTEGER), SYSDATE())
