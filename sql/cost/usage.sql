-- Actual cost: SNOWFLAKE.ACCOUNT_USAGE.CORTEX_AGENT_USAGE_HISTORY, one row per REQUEST_ID (rows
-- sharing a REQUEST_ID are summed), times in UTC like the event history, and the team named by
-- the tag {{TEAM_TAG}} in USER_TAGS / AGENT_TAGS (arrays of {level, tag_database, tag_schema,
-- tag_name, tag_value}). The view lags Snowflake's own usage by hours; REPORTED_UNTIL in the
-- ledger is how far it has caught up.
WITH usage_rows AS (
    SELECT
        u.REQUEST_ID,
        u.PARENT_REQUEST_ID,
        CONVERT_TIMEZONE('UTC', u.START_TIME)::TIMESTAMP_NTZ AS START_TIME,
        CONVERT_TIMEZONE('UTC', u.END_TIME)::TIMESTAMP_NTZ AS END_TIME,
        u.USER_NAME,
        u.AGENT_DATABASE_NAME,
        u.AGENT_SCHEMA_NAME,
        u.AGENT_NAME,
        u.TOKENS,
        u.TOKEN_CREDITS,
        u.USER_TAGS,
        u.AGENT_TAGS
    FROM {{USAGE_HISTORY}} AS u
    WHERE u.REQUEST_ID IS NOT NULL
),
user_tag_teams AS (
    SELECT r.REQUEST_ID, MAX(t.value:tag_value::STRING) AS TEAM
    FROM usage_rows AS r, LATERAL FLATTEN(input => r.USER_TAGS) AS t
    WHERE UPPER(t.value:tag_name::STRING) = {{TEAM_TAG}}
    GROUP BY r.REQUEST_ID
),
agent_tag_teams AS (
    SELECT r.REQUEST_ID, MAX(t.value:tag_value::STRING) AS TEAM
    FROM usage_rows AS r, LATERAL FLATTEN(input => r.AGENT_TAGS) AS t
    WHERE UPPER(t.value:tag_name::STRING) = {{TEAM_TAG}}
    GROUP BY r.REQUEST_ID
),
requests AS (
    SELECT
        r.REQUEST_ID,
        MIN(r.PARENT_REQUEST_ID) AS PARENT_REQUEST_ID,
        MIN(r.START_TIME) AS START_TIME,
        MAX(r.END_TIME) AS END_TIME,
        MAX(r.USER_NAME) AS USER_NAME,
        MAX(r.AGENT_DATABASE_NAME) AS AGENT_DATABASE,
        MAX(r.AGENT_SCHEMA_NAME) AS AGENT_SCHEMA,
        MAX(r.AGENT_NAME) AS AGENT_NAME,
        SUM(r.TOKENS) AS TOKENS,
        CAST(COALESCE(SUM(r.TOKEN_CREDITS), 0) AS NUMBER(38, 9)) AS CREDITS,
        COUNT(*) AS USAGE_ROWS
    FROM usage_rows AS r
    GROUP BY r.REQUEST_ID
)
SELECT q.*, user_tag.TEAM AS USER_TAG_TEAM, agent_tag.TEAM AS AGENT_TAG_TEAM
FROM requests AS q
LEFT JOIN user_tag_teams AS user_tag ON user_tag.REQUEST_ID = q.REQUEST_ID
LEFT JOIN agent_tag_teams AS agent_tag ON agent_tag.REQUEST_ID = q.REQUEST_ID
