-- Moves the merged-through point to the newest LOADED_AT this run merged, in the transaction that
-- merges the rows, so a failed run moves neither and a re-run merges nothing twice. Both values
-- come from the new rows' per-day summary (summarize_delta.sql), never through the driver
-- (find_delta.sql says why). The update applies only while the point is still below every row
-- this run merges: a run that overlapped this one and committed first has moved it past them, and
-- 0 rows updated makes this run roll back.
UPDATE {{LOAD_STATE_TABLE}}
SET LOADED_THROUGH = COALESCE((SELECT MAX(LOADED_THROUGH) FROM {{DELTA_DAYS_TABLE}}), LOADED_THROUGH),
    ROWS_MERGED = {{bind new_rows}},
    ROLLED_UP_AT = CAST({{bind rollup_started}} AS TIMESTAMP_NTZ)
WHERE LOADED_THROUGH < COALESCE((SELECT MIN(FIRST_LOADED_AT) FROM {{DELTA_DAYS_TABLE}}), CAST('9999-12-31' AS TIMESTAMP_NTZ))
