-- Drops ROLLUP_MERGED_TRACES's days older than the history keeps, less one: marks are looked for
-- within a day (TRACE_MARGIN_DAYS, lib/sql/traceMargin.ts) of their own rows (find_full_days.sql), and no
-- row older than the history can arrive.
DELETE FROM {{TRACES_TABLE}} WHERE DAY < DATEADD('day', -CAST({{bind history_days}} AS INTEGER) - 1, TO_DATE(SYSDATE()))
