-- The new rows' aggregates (find_delta.sql) summed per day, once: what delta_days.sql,
-- find_merge_days.sql and advance_load_state.sql need of them (a row per day instead of a few per
-- agent and day), so the aggregates are read here and by the stages, not once more per statement.
-- HAS_EVALUATION: the day has new evaluation rows, whose marks find_full_days.sql checks.
CREATE OR REPLACE TEMPORARY TABLE {{DELTA_DAYS_TABLE}} AS
SELECT
    DAY,
    SUM(EVENTS) AS EVENTS,
    COUNT_IF(NOT IS_PRODUCTION) > 0 AS HAS_EVALUATION,
    MIN(FIRST_LOADED_AT) AS FIRST_LOADED_AT,
    MAX(LOADED_THROUGH) AS LOADED_THROUGH
FROM {{DELTA_TABLE}}
GROUP BY DAY
