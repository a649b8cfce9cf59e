CASE {{USER_IDENTITY}}
        WHEN 'named' THEN USER_NAME
        WHEN 'pseudonymous' THEN SHA2(ORG_KEY.IDENTITY_KEY || '|' || USER_NAME, 256)
    END
