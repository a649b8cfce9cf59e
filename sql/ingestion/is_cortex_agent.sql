-- TRUE when the event-table row `e` is a Cortex Agent's (NULL when it names no object type).
-- Live accounts write the type both as 'Cortex Agent' and as 'CORTEX AGENT' (snowflake-access.md,
-- "Live event shapes"), so it is compared case-insensitively; the spelling lives here only.
UPPER(e.RECORD_ATTRIBUTES:"snow.ai.observability.object.type"::STRING) = 'CORTEX AGENT'
