-- Where one refresh starts reading an agent: its watermark less the overlap that catches late
-- events, or the initial lookback for an agent never loaded; never before the history kept.
-- Binds: 1 lookback hours, 2 history days, 3-5 the agent's database, schema and name.
SELECT GREATEST(
           COALESCE(
               DATEADD('minute', -{{INGEST_OVERLAP_MINUTES}}, MAX(s.LAST_EVENT_TIMESTAMP)),
               DATEADD('second', -MAX(a.LOOKBACK_SECONDS), SYSDATE())),
           DATEADD('day', -MAX(a.HISTORY_DAYS), SYSDATE())) AS READ_FROM
FROM (
    SELECT
        CAST(ROUND(CAST(? AS FLOAT) * 3600) AS INTEGER) AS LOOKBACK_SECONDS,
        CAST(? AS INTEGER) AS HISTORY_DAYS,
        CAST(? AS VARCHAR) AS AGENT_DATABASE,
        CAST(? AS VARCHAR) AS AGENT_SCHEMA,
        CAST(? AS VARCHAR) AS AGENT_NAME
) AS a
LEFT JOIN {{INGEST_STATE_TABLE}} AS s
    ON s.AGENT_DATABASE = a.AGENT_DATABASE AND s.AGENT_SCHEMA = a.AGENT_SCHEMA AND s.AGENT_NAME = a.AGENT_NAME
