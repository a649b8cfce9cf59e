-- A runaway thread per active agent: the highest {{MEASURE}} one thread ran up in the
-- {{WINDOW_MINUTES}} minutes up to AS_OF (bound); DETAIL names that thread. The rules
-- runaway_thread_turns, runaway_thread_steps and runaway_thread_tokens share it, each naming its
-- measure (a column of alerts/thread_totals.sql) in its record.
{{expr READ_FROM = DATEADD('minute', -{{WINDOW_MINUTES}}, CAST({{bind as_of}} AS TIMESTAMP_NTZ))}}
WITH clock AS (SELECT CAST({{bind as_of}} AS TIMESTAMP_NTZ) AS AS_OF),
threads AS (
    {{> alerts/thread_totals.sql}}
),
worst AS (
    SELECT AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, THREAD_ID, {{MEASURE}} AS MEASURE, COUNT(*) OVER (
               PARTITION BY AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME) AS THREADS
    FROM threads
    QUALIFY ROW_NUMBER() OVER (PARTITION BY AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME ORDER BY {{MEASURE}} DESC, THREAD_ID) = 1
)
SELECT {{RULE_NAME}} AS RULE_NAME, a.AGENT_DATABASE, a.AGENT_SCHEMA, a.AGENT_NAME,
       w.MEASURE AS VALUE, COALESCE(w.THREADS, 0) AS VOLUME, NULL AS BASELINE, 'thread ' || w.THREAD_ID AS DETAIL
FROM ({{> alerts/active_agents.sql}}) AS a
LEFT JOIN worst AS w
    ON w.AGENT_DATABASE = a.AGENT_DATABASE AND w.AGENT_SCHEMA = a.AGENT_SCHEMA AND w.AGENT_NAME = a.AGENT_NAME
