-- Moves the merged-through point to the newest LOADED_AT this run merged, in the transaction
-- that merges the rows, so a failed run moves neither and a re-run merges nothing twice. The
-- update applies only if the point is still where this run read it (a run that overlapped this
-- one and committed first has moved it): 0 rows updated makes the run roll back.
UPDATE {{LOAD_STATE_TABLE}}
SET LOADED_THROUGH = COALESCE((SELECT MAX(LOADED_THROUGH) FROM {{DELTA_TABLE}}), LOADED_THROUGH),
    ROWS_MERGED = COALESCE((SELECT SUM(EVENTS) FROM {{DELTA_TABLE}}), 0),
    ROLLED_UP_AT = CAST({{bind rollup_started}} AS TIMESTAMP_NTZ)
WHERE LOADED_THROUGH = CAST({{bind loaded_through}} AS TIMESTAMP_NTZ)
