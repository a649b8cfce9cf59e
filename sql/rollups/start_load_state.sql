-- The merged-through point after a run that recomputed days in full (the first run, or the
-- first after the load state was added): every history row is reflected in the rollups of
-- its day, so the next run merges what is loaded after the newest row there is. With an empty
-- history there is no point yet, and the next run recomputes again.
INSERT INTO {{LOAD_STATE_TABLE}} (LOADED_THROUGH, ROWS_MERGED, ROLLED_UP_AT)
SELECT MAX(LOADED_AT), COUNT(*), CAST({{bind rollup_started}} AS TIMESTAMP_NTZ)
FROM {{HISTORY_TABLE}}
HAVING MAX(LOADED_AT) IS NOT NULL
