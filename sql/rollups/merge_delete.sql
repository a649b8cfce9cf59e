-- Drops one rollup's rows of the agent-days its stage holds: every one of them was read into the
-- stage (stage_*.sql), which merge_insert.sql now puts back merged. A join on DAY and agent.
DELETE FROM {{ROLLUP_TABLE}} AS r
USING (SELECT DISTINCT DAY, AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME FROM {{STAGE_TABLE}}) AS t
WHERE r.DAY = t.DAY AND r.AGENT_DATABASE = t.AGENT_DATABASE AND r.AGENT_SCHEMA = t.AGENT_SCHEMA
  AND r.AGENT_NAME = t.AGENT_NAME
