-- Read-only, before a credential is bound to CREATE or ALTER SECRET: whether bind values can be
-- read back later (INFORMATION_SCHEMA.BIND_VALUES, QUERY_HISTORY.bind_values). The value column
-- is 'false' only when the account set ALLOW_BIND_VALUES_ACCESS = FALSE; its default is TRUE
-- (https://docs.snowflake.com/en/sql-reference/parameters#allow-bind-values-access).
SHOW PARAMETERS LIKE 'ALLOW_BIND_VALUES_ACCESS' IN ACCOUNT
