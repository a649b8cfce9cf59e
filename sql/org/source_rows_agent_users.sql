-- AGENT_DAILY_ROLLUP with its day's distinct users as wallmonitor:orgUserIdentity says
-- ({{USER_IDENTITY}}): 'named' the names, 'pseudonymous' keyed hashes as in
-- source_rows_user_name.sql, 'none' keyed hashes salted with the day, so the central account still
-- counts a day's distinct users but cannot follow a user from one day to the next.
--
-- USERS_HLL is a HyperLogLog state of those identities, accumulated here from the day's rows of
-- USER_DAILY_ROLLUP (one per user, the same users the agent rollup counts), never the stored state
-- of the names: Snowflake hashes a value the same way in every account, so the central account
-- could test a candidate name against a state of names, which is what the key denies it. It is
-- shared in the documented OBJECT form (HLL_EXPORT), the form meant to leave the query that made it.
-- https://docs.snowflake.com/en/user-guide/querying-approximate-cardinality
-- USERS, the exact set of a day rolled up before the states existed, is NULL since, and shared
-- for the older days as before. FLATTEN and ARRAY_AGG rebuild each such day's set:
-- https://docs.snowflake.com/en/sql-reference/functions/flatten
SELECT {{SOURCE_ACCOUNT}} AS SOURCE_ACCOUNT, {{COLUMNS}},
    IFF(DAILY.USERS IS NULL, NULL, COALESCE(IDENTIFIED.USERS, ARRAY_CONSTRUCT())) AS USERS,
    SKETCHED.USERS_HLL AS USERS_HLL
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
LEFT JOIN (
    SELECT P.DAY, P.AGENT_DATABASE, P.AGENT_SCHEMA, P.AGENT_NAME,
        HLL_EXPORT(HLL_ACCUMULATE(CASE {{USER_IDENTITY}}
            WHEN 'named' THEN P.USER_NAME
            WHEN 'pseudonymous' THEN SHA2(ORG_KEY.IDENTITY_KEY || '|' || P.USER_NAME, 256)
            ELSE SHA2(ORG_KEY.IDENTITY_KEY || '|' || TO_VARCHAR(P.DAY, 'YYYY-MM-DD') || '|' || P.USER_NAME, 256)
        END)) AS USERS_HLL
    FROM {{USER_ROLLUP_TABLE}} AS P
    CROSS JOIN {{IDENTITY_KEY_VIEW}} AS ORG_KEY
    GROUP BY P.DAY, P.AGENT_DATABASE, P.AGENT_SCHEMA, P.AGENT_NAME
) AS SKETCHED
    ON SKETCHED.DAY = DAILY.DAY AND SKETCHED.AGENT_DATABASE = DAILY.AGENT_DATABASE
    AND SKETCHED.AGENT_SCHEMA = DAILY.AGENT_SCHEMA AND SKETCHED.AGENT_NAME = DAILY.AGENT_NAME
