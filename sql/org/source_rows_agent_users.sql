-- AGENT_DAILY_ROLLUP with its day's distinct users (USERS) as wallmonitor:orgUserIdentity says
-- ({{USER_IDENTITY}}): 'named' the names, 'pseudonymous' keyed hashes as in
-- source_rows_user_name.sql, 'none' keyed hashes salted with the day, so the central account still
-- counts a day's distinct users exactly but cannot follow a user from one day to the next.
-- FLATTEN and ARRAY_AGG rebuild each day's set: https://docs.snowflake.com/en/sql-reference/functions/flatten
SELECT {{SOURCE_ACCOUNT}} AS SOURCE_ACCOUNT, {{COLUMNS}},
    COALESCE(IDENTIFIED.USERS, ARRAY_CONSTRUCT()) AS USERS
FROM {{SOURCE_TABLE}} AS DAILY
LEFT JOIN (
    SELECT R.DAY, R.AGENT_DATABASE, R.AGENT_SCHEMA, R.AGENT_NAME,
        ARRAY_AGG(CASE {{USER_IDENTITY}}
            WHEN 'named' THEN U.VALUE::STRING
            WHEN 'pseudonymous' THEN SHA2(ORG_KEY.IDENTITY_KEY || '|' || U.VALUE::STRING, 256)
            ELSE SHA2(ORG_KEY.IDENTITY_KEY || '|' || TO_VARCHAR(R.DAY, 'YYYY-MM-DD') || '|' || U.VALUE::STRING, 256)
        END) AS USERS
    FROM {{SOURCE_TABLE}} AS R
    CROSS JOIN {{IDENTITY_KEY_VIEW}} AS ORG_KEY,
    LATERAL FLATTEN(INPUT => R.USERS) AS U
    GROUP BY R.DAY, R.AGENT_DATABASE, R.AGENT_SCHEMA, R.AGENT_NAME
) AS IDENTIFIED
    ON IDENTIFIED.DAY = DAILY.DAY AND IDENTIFIED.AGENT_DATABASE = DAILY.AGENT_DATABASE
    AND IDENTIFIED.AGENT_SCHEMA = DAILY.AGENT_SCHEMA AND IDENTIFIED.AGENT_NAME = DAILY.AGENT_NAME
