-- Each agent version's share of its agent's production turns per UTC day over the last {{HISTORY_DAYS}} days (versions/turns.sql;
-- a turn with no known version counts in the day's total as UNKNOWN, so shares add up to 1).
{{expr READ_FROM = DATEADD('hour', -1, DATEADD('day', -{{HISTORY_DAYS}}, SYSDATE()))}}
WITH turn_window AS (SELECT DATEADD('day', -{{HISTORY_DAYS}}, SYSDATE()) AS FROM_TS, SYSDATE() AS TO_TS)
SELECT
    t.AGENT_DATABASE, t.AGENT_SCHEMA, t.AGENT_NAME,
    t.AGENT_DATABASE || '.' || t.AGENT_SCHEMA || '.' || t.AGENT_NAME AS AGENT_FULL_NAME,
    CAST(t.TURN_END AS DATE) AS DAY,
    COALESCE(t.VERSION_NAME, 'UNKNOWN') AS VERSION_NAME,
    COUNT(*) AS TURNS,
    COUNT(*) / CAST(SUM(COUNT(*)) OVER (PARTITION BY t.AGENT_DATABASE, t.AGENT_SCHEMA, t.AGENT_NAME,
                                       CAST(t.TURN_END AS DATE)) AS DOUBLE) AS TRAFFIC_SHARE
FROM ({{> versions/turns.sql}}) AS t
GROUP BY t.AGENT_DATABASE, t.AGENT_SCHEMA, t.AGENT_NAME, CAST(t.TURN_END AS DATE), COALESCE(t.VERSION_NAME, 'UNKNOWN')
