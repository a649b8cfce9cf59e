-- Keeps the shape coverage as long as the event history it was counted from (history_days).
DELETE FROM {{COVERAGE_TABLE}}
WHERE CYCLE_STARTED < DATEADD('day', -CAST({{bind history_days}} AS INTEGER), SYSDATE())
