-- Body of the serverless task that runs one ingestion cycle. Arguments: lookback hours,
-- history days, and the configured ingestPath: auto, event_table or per_agent.
CALL {{PROCEDURE}}({{LOOKBACK_HOURS}}, {{HISTORY_DAYS}}, {{INGEST_PATH}})
