-- Drops history older than history_days (the procedure's HISTORY_DAYS argument).
DELETE FROM {{HISTORY_TABLE}}
WHERE EVENT_TIMESTAMP < DATEADD('day', -CAST({{bind history_days}} AS INTEGER), SYSDATE())
