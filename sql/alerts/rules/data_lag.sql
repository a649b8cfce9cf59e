-- data_lag per active agent: minutes from the last refresh that reached the agent (whatever its
-- outcome) to AS_OF (bound). It grows when the refresh task is suspended, failing as a whole or
-- not scheduled, which no run of that task can report itself. An agent never refreshed counts
-- from its registration.
WITH clock AS (SELECT CAST({{bind as_of}} AS TIMESTAMP_NTZ) AS AS_OF)
SELECT 'data_lag' AS RULE_NAME, r.AGENT_DATABASE, r.AGENT_SCHEMA, r.AGENT_NAME,
       GREATEST(DATEDIFF('minute', COALESCE(s.LAST_REFRESH_AT, r.ADDED_AT), c.AS_OF), 0) AS VALUE,
       NULL AS VOLUME, NULL AS BASELINE,
       IFF(s.LAST_REFRESH_AT IS NULL, 'never refreshed', NULL) AS DETAIL
FROM {{REGISTRY_TABLE}} AS r
CROSS JOIN clock AS c
LEFT JOIN {{INGEST_STATE_TABLE}} AS s
    ON s.AGENT_DATABASE = r.AGENT_DATABASE AND s.AGENT_SCHEMA = r.AGENT_SCHEMA AND s.AGENT_NAME = r.AGENT_NAME
WHERE COALESCE(r.IS_ACTIVE, TRUE)
