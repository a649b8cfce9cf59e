-- Where one refresh starts reading an agent: its watermark less the overlap that catches late
-- events, or the initial lookback for an agent never loaded; never before the history kept.
-- Binds: 1 lookback hours, 2 history days, 3-5 the agent's database, schema and name.
SELECT GREATEST(
           COALESCE(
               DATEADD('minute', -{{INGEST_OVERLAP_MINUTES}}, MAX(LAST_EVENT_TIMESTAMP)),
               DATEADD('second', -ROUND(CAST(? AS FLOAT) * 3600), SYSDATE())),
           DATEADD('day', -CAST(? AS INTEGER), SYSDATE())) AS READ_FROM
FROM {{INGEST_STATE_TABLE}}
WHERE AGENT_DATABASE = ? AND AGENT_SCHEMA = ? AND AGENT_NAME = ?
