-- One transition, recorded before anything is sent: DELIVERY_KEY names it (incident, event,
-- level), DELIVERY_STATUS is PENDING when a channel is to be notified, else NONE.
INSERT INTO {{HISTORY_TABLE}} (
    INCIDENT_ID, EVENT_TYPE, RULE_NAME, AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, LEVEL, VALUE, THRESHOLD, WINDOW_MINUTES,
    VOLUME, BASELINE, DETAIL, FIRST_SEEN, LAST_SEEN, EVALUATED_AT, NOTIFIED_VIA, MESSAGE, DELIVERY_KEY, DELIVERY_STATUS
)
SELECT {{bind incident_id}}, {{bind event_type}}, {{bind rule_name}}, {{bind agent_database}}, {{bind agent_schema}}, {{bind agent_name}}, {{bind level}}, CAST({{bind value}} AS FLOAT), CAST({{bind threshold}} AS FLOAT), CAST({{bind window_minutes}} AS NUMBER), CAST({{bind volume}} AS NUMBER), CAST({{bind baseline}} AS FLOAT), {{bind detail}}, CAST({{bind first_seen}} AS TIMESTAMP_NTZ), CAST({{bind last_seen}} AS TIMESTAMP_NTZ),
       CAST({{bind evaluated_at}} AS TIMESTAMP_NTZ), {{bind notified_via}}, {{bind message}}, {{bind delivery_key}}, {{bind delivery_status}}
