-- Per thread with events in the {{WINDOW_MINUTES}} minutes up to AS_OF: its turns, planning
-- (LLM) steps and tokens in that window. The including rule defines READ_FROM, the window's start
-- (evaluation/production_history_from.sql).
SELECT h.AGENT_DATABASE, h.AGENT_SCHEMA, h.AGENT_NAME, h.THREAD_ID,
       COUNT_IF(h.SPAN_CATEGORY = 'AGENT_RUN') AS TURNS,
       COUNT_IF(h.SPAN_CATEGORY = 'LLM_CALL') AS STEPS,
       COALESCE(SUM(h.TOTAL_TOKENS), 0) AS TOKENS
FROM ({{> evaluation/production_history_from.sql}}) AS h, clock AS c
WHERE h.THREAD_ID IS NOT NULL
  AND h.EVENT_TIMESTAMP > DATEADD('minute', -{{WINDOW_MINUTES}}, c.AS_OF) AND h.EVENT_TIMESTAMP <= c.AS_OF
GROUP BY h.AGENT_DATABASE, h.AGENT_SCHEMA, h.AGENT_NAME, h.THREAD_ID
