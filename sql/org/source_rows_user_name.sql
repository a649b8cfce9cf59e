-- A table or view with one user per row, shared with the user as wallmonitor:orgUserIdentity says
-- ({{USER_IDENTITY}}): 'named' the name, 'pseudonymous' a keyed SHA-256 of it (the same user gives
-- the same hash on every day and in every member holding the organisation's key), 'none' NULL.
-- The other columns are listed one by one, so only what is listed leaves the account.
-- SHA2: https://docs.snowflake.com/en/sql-reference/functions/sha2 (hex, NULL in, NULL out).
SELECT {{SOURCE_ACCOUNT}} AS SOURCE_ACCOUNT, {{COLUMNS}},
    {{> org/user_identity.sql}} AS USER_NAME
FROM {{SOURCE_TABLE}}
CROSS JOIN {{IDENTITY_KEY_VIEW}} AS ORG_KEY
