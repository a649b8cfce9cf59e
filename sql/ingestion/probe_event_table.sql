-- Whether the owner role can read the event table behind GET_AI_OBSERVABILITY_EVENTS
-- (application role SNOWFLAKE.AI_OBSERVABILITY_READER). Compiles the query and reads nothing:
-- it fails with "does not exist or not authorized" when the role cannot read it.
SELECT 1 AS READABLE FROM SNOWFLAKE.LOCAL.AI_OBSERVABILITY_EVENTS LIMIT 0
