-- Drops AGENT_DAILY_ROLLUP's rows of the keys its stage holds: each was read into the stage
-- (stage_agent.sql), which merge_insert.sql now puts back merged. A join on the table's whole key
-- (DELETE .. USING: https://docs.snowflake.com/en/sql-reference/sql/delete).
DELETE FROM {{ROLLUP_TABLE}} AS r
USING {{STAGE_TABLE}} AS s
WHERE r.DAY = s.DAY AND r.AGENT_DATABASE = s.AGENT_DATABASE AND r.AGENT_SCHEMA = s.AGENT_SCHEMA
  AND r.AGENT_NAME = s.AGENT_NAME
