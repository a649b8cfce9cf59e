-- The merged-through point after a run that recomputed days in full (the first run, or the
-- first after the load state was added): every history row is reflected in the rollups of
-- its day, so the next run merges what is loaded after the newest row there is. With an empty
-- history there is no point yet, and the next run recomputes again.
INSERT INTO {{LOAD_STATE_TABLE}} (LOADED_THROUGH, ROWS_MERGED, ROLLED_UP_AT)
SELECT LOADED_THROUGH, HISTORY_ROWS, CAST({{bind rollup_started}} AS TIMESTAMP_NTZ)
FROM (SELECT MAX(LOADED_AT) AS LOADED_THROUGH, COUNT(*) AS HISTORY_ROWS FROM {{HISTORY_TABLE}}) AS h
WHERE LOADED_THROUGH IS NOT NULL
