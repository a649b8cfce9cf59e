-- Body of the task, chained after each ingestion cycle, that registers new agents.
CALL {{PROCEDURE}}({{INCLUDE_PATTERN}}, {{EXCLUDE_PATTERN}}, TRUE)
