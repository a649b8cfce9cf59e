-- Each agent version's tool mix in the last {{HISTORY_DAYS}} days: per tool kind, calls per turn and
-- the tool's error rate (a tool span with a status is a call; wrappers have none, parsed_events.sql).
{{expr READ_FROM = DATEADD('hour', -1, DATEADD('day', -{{HISTORY_DAYS}}, SYSDATE()))}}
WITH turn_window AS (SELECT DATEADD('day', -{{HISTORY_DAYS}}, SYSDATE()) AS FROM_TS, SYSDATE() AS TO_TS),
turns AS (
    SELECT t.* FROM ({{> versions/turns.sql}}) AS t WHERE t.VERSION_NAME IS NOT NULL
),
version_turns AS (
    SELECT t.AGENT_DATABASE, t.AGENT_SCHEMA, t.AGENT_NAME, t.VERSION_NAME, COUNT(*) AS TURNS
    FROM turns AS t
    GROUP BY t.AGENT_DATABASE, t.AGENT_SCHEMA, t.AGENT_NAME, t.VERSION_NAME
)
SELECT
    t.AGENT_DATABASE, t.AGENT_SCHEMA, t.AGENT_NAME,
    t.AGENT_DATABASE || '.' || t.AGENT_SCHEMA || '.' || t.AGENT_NAME AS AGENT_FULL_NAME,
    t.VERSION_NAME, h.TOOL_KIND,
    COUNT(*) AS CALLS,
    COUNT(*) / CAST(MAX(v.TURNS) AS DOUBLE) AS CALLS_PER_TURN,
    SUM(IFF(h.STATUS = 'ERROR', 1, 0)) AS ERRORS,
    SUM(IFF(h.STATUS = 'ERROR', 1, 0)) / CAST(COUNT(*) AS DOUBLE) AS ERROR_RATE
FROM turns AS t
JOIN ({{> evaluation/production_history_from.sql}}) AS h
    ON h.AGENT_DATABASE = t.AGENT_DATABASE AND h.AGENT_SCHEMA = t.AGENT_SCHEMA AND h.AGENT_NAME = t.AGENT_NAME
   AND h.TRACE_ID = t.TRACE_ID
JOIN version_turns AS v
    ON v.AGENT_DATABASE = t.AGENT_DATABASE AND v.AGENT_SCHEMA = t.AGENT_SCHEMA AND v.AGENT_NAME = t.AGENT_NAME
   AND v.VERSION_NAME = t.VERSION_NAME
WHERE h.RECORD_TYPE = 'SPAN' AND h.TOOL_KIND IS NOT NULL AND h.STATUS IS NOT NULL
GROUP BY t.AGENT_DATABASE, t.AGENT_SCHEMA, t.AGENT_NAME, t.VERSION_NAME, h.TOOL_KIND
