-- When this ingestion cycle started, on Snowflake's clock (UTC): rows the cycle loads have a
-- LOADED_AT at or after it.
SELECT SYSDATE() AS CYCLE_STARTED
