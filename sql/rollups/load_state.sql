-- How far the history has been merged into the rollups: the newest LOADED_AT merged (NULL before
-- the first run, or when the table is new: the run then recomputes days in full, find_days.sql).
SELECT MAX(LOADED_THROUGH) AS LOADED_THROUGH FROM {{LOAD_STATE_TABLE}}
