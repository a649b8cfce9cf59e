-- ingest_failing per active agent: how many refreshes in a row failed for it (0 when the last
-- one succeeded); DETAIL is the last error. AS_OF is unused but bound like every rule's.
WITH clock AS (SELECT CAST({{bind as_of}} AS TIMESTAMP_NTZ) AS AS_OF)
SELECT 'ingest_failing' AS RULE_NAME, a.AGENT_DATABASE, a.AGENT_SCHEMA, a.AGENT_NAME,
       IFF(s.LAST_REFRESH_STATUS = 'ERROR', COALESCE(s.CONSECUTIVE_FAILURES, 1), 0) AS VALUE,
       NULL AS VOLUME, NULL AS BASELINE,
       IFF(s.LAST_REFRESH_STATUS = 'ERROR', LEFT(s.LAST_ERROR_MESSAGE, 500), NULL) AS DETAIL
FROM ({{> alerts/active_agents.sql}}) AS a
CROSS JOIN clock AS c
LEFT JOIN {{INGEST_STATE_TABLE}} AS s
    ON s.AGENT_DATABASE = a.AGENT_DATABASE AND s.AGENT_SCHEMA = a.AGENT_SCHEMA AND s.AGENT_NAME = a.AGENT_NAME
