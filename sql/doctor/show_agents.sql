-- The agents the session's role can see: those it holds OWNERSHIP, USAGE, MODIFY or MONITOR on
-- (https://docs.snowflake.com/en/sql-reference/sql/show-agents). No privilege gives an empty list, not an error.
SHOW AGENTS IN ACCOUNT
