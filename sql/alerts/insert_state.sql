INSERT INTO {{STATE_TABLE}} (
    RULE_NAME, AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, LEVEL, INCIDENT_ID, VALUE, THRESHOLD, FIRST_SEEN, LAST_SEEN,
    CLEAR_SINCE, NOTIFIED_LEVEL, LAST_NOTIFIED_AT, RECOVERED_AT, LAST_EVALUATED_AT
)
SELECT {{bind rule_name}}, {{bind agent_database}}, {{bind agent_schema}}, {{bind agent_name}}, {{bind level}}, {{bind incident_id}}, CAST({{bind value}} AS FLOAT), CAST({{bind threshold}} AS FLOAT), CAST({{bind first_seen}} AS TIMESTAMP_NTZ), CAST({{bind last_seen}} AS TIMESTAMP_NTZ), CAST({{bind clear_since}} AS TIMESTAMP_NTZ), {{bind notified_level}}, CAST({{bind last_notified_at}} AS TIMESTAMP_NTZ),
       CAST({{bind recovered_at}} AS TIMESTAMP_NTZ), CAST({{bind last_evaluated_at}} AS TIMESTAMP_NTZ)
