-- The SNOWFLAKE application's roles on this account: which event-table reader role exists
-- (AI_OBSERVABILITY_READER, or the older AI_OBSERVABILITY_EVENTS_LOOKUP).
-- https://docs.snowflake.com/en/sql-reference/sql/show-application-roles
SHOW APPLICATION ROLES IN APPLICATION SNOWFLAKE
