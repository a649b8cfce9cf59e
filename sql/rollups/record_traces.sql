-- Adds the traces of the rows this run merges (find_new_traces.sql) to ROLLUP_MERGED_TRACES, in the
-- transaction that moves the merged-through point past those rows: the table holds every row up
-- to the point, which find_delta.sql's and find_full_days.sql's mark lookups rely on.
INSERT INTO {{TRACES_TABLE}} (DAY, AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, TRACE_ID, HAS_UNMARKED, HAS_MARK)
SELECT DAY, AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, TRACE_ID, HAS_UNMARKED, HAS_MARK
FROM {{NEW_TRACES_TABLE}}
