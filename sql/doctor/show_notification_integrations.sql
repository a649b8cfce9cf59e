-- The account's notification integrations, enabled or not
-- (https://docs.snowflake.com/en/sql-reference/sql/show-notification-integrations).
SHOW NOTIFICATION INTEGRATIONS
