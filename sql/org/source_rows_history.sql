-- The event history (orgShareRecentHistory), without the private columns, with the user as
-- wallmonitor:orgUserIdentity says ({{USER_IDENTITY}}; see source_rows_user_name.sql). The error
-- text can quote names, tables and values, so it leaves the account only when users are named.
SELECT {{SOURCE_ACCOUNT}} AS SOURCE_ACCOUNT, {{COLUMNS}},
    CASE {{USER_IDENTITY}}
        WHEN 'named' THEN USER_ID
        WHEN 'pseudonymous' THEN SHA2(ORG_KEY.IDENTITY_KEY || '|' || USER_ID, 256)
    END AS USER_ID,
    {{> org/user_identity.sql}} AS USER_NAME,
    CASE {{USER_IDENTITY}} WHEN 'named' THEN ERROR_MESSAGE END AS ERROR_MESSAGE
FROM {{SOURCE_TABLE}}
CROSS JOIN {{IDENTITY_KEY_VIEW}} AS ORG_KEY
