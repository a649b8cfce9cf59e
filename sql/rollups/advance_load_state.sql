-- Moves the merged-through point to the newest LOADED_AT this run merged (delta_days.sql), in the transaction
-- that merges the rows, so a failed run moves neither and a re-run merges nothing twice. The
-- update applies only if the point is still where this run read it (a run that overlapped this
-- one and committed first has moved it): 0 rows updated makes the run roll back.
UPDATE {{LOAD_STATE_TABLE}}
SET LOADED_THROUGH = COALESCE(CAST({{bind new_loaded_through}} AS TIMESTAMP_NTZ), LOADED_THROUGH),
    ROWS_MERGED = {{bind new_rows}},
    ROLLED_UP_AT = CAST({{bind rollup_started}} AS TIMESTAMP_NTZ)
WHERE LOADED_THROUGH = CAST({{bind loaded_through}} AS TIMESTAMP_NTZ)
