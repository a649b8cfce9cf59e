-- How many rows ROLLUP_MERGED_TRACES holds: none with a merged-through point set, it is filled from
-- the history first (start_traces.sql). A COUNT(*) of a whole table, which Snowflake answers from
-- the micro-partitions' metadata, not by scanning them
-- (https://docs.snowflake.com/en/user-guide/tables-clustering-micropartitions).
SELECT COUNT(*) AS TRACE_ROWS FROM {{TRACES_TABLE}}
