-- Body of the serverless task that runs one ingestion cycle.
CALL {{PROCEDURE}}({{LOOKBACK_HOURS}}, {{HISTORY_DAYS}})
