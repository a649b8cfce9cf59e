-- The plan Snowflake compiles for a read of the realtime metrics: AGENT_METRICS reads AGENT_EVENTS,
-- which reads the history through dashboards/events_from.sql and evaluation/window_history.sql (a
-- CTE of the window's rows read twice, and the marked rows of the strip before the window).
-- EXPLAIN compiles the statement and executes nothing, so it needs no running warehouse; USING
-- TABULAR returns one row per operation, with the object a TableScan reads and its
-- micro-partitions before (partitionsTotal) and after compile-time pruning (partitionsAssigned)
-- (https://docs.snowflake.com/en/sql-reference/sql/explain). The role needs SELECT on the view,
-- as a read of it does.
EXPLAIN USING TABULAR SELECT * FROM {{VIEW}}
