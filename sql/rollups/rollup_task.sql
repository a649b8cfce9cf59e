-- Body of the serverless task chained after the ingestion task: recomputes the daily rollups of
-- the days new or late events touched. Arguments: history days, rollup retention days.
CALL {{PROCEDURE}}({{HISTORY_DAYS}}, {{ROLLUP_RETENTION_DAYS}})
