-- Actual cost, one row per REQUEST_ID, from the two usage views Snowflake splits agent requests
-- between (https://docs.snowflake.com/en/sql-reference/account-usage/cortex_agent_usage_history):
--   SNOWFLAKE.ACCOUNT_USAGE.CORTEX_AGENT_USAGE_HISTORY: requests to Cortex Agents (API, SQL,
--     Snowsight), excluding those made in Snowflake CoWork;
--   the CoWork view that wallmonitor:costCoworkUsageView names (lib/costConfig.ts):
--     SNOWFLAKE_COWORK_USAGE_HISTORY, or SNOWFLAKE_INTELLIGENCE_USAGE_HISTORY, its name before
--     Snowflake Intelligence became CoWork (https://docs.snowflake.com/en/sql-reference/account-usage/snowflake_intelligence_usage_history_view).
--     Only one of the two names is read: accounts that had the old name keep both, with the
--     same rows, so reading both would count CoWork twice. With NONE the CoWork
--     branch reads the agent view under a false condition: it compiles on an account
--     without any CoWork view and returns no row.
-- Rows sharing a REQUEST_ID within a view are summed (one row per call to the agent). The two
-- views are documented as disjoint; should a REQUEST_ID still appear in both, the agent view's
-- row counts and the CoWork row does not (USAGE_VIEWS shows how many views had it), so nothing
-- is counted twice. USAGE_VIEW labels the view the credits come from. Times in UTC like the
-- event history; the team is the tag {{TEAM_TAG}} in USER_TAGS / AGENT_TAGS (arrays of {level,
-- tag_database, tag_schema, tag_name, tag_value}); the CoWork view's documented columns name no
-- AGENT_TAGS, so CoWork rows take their team from user tags and mappings only. The views lag
-- Snowflake's own usage by up to an hour; REPORTED_UNTIL in the ledger is how far they have
-- caught up.
WITH usage_rows AS (
    SELECT
        {{AGENT_USAGE_VIEW}} AS USAGE_VIEW,
        1 AS USAGE_VIEW_PRECEDENCE,
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
    FROM {{AGENT_USAGE_HISTORY}} AS u
    WHERE u.REQUEST_ID IS NOT NULL
    UNION ALL
    SELECT
        {{COWORK_USAGE_VIEW}} AS USAGE_VIEW,
        2 AS USAGE_VIEW_PRECEDENCE,
        c.REQUEST_ID,
        c.PARENT_REQUEST_ID,
        CONVERT_TIMEZONE('UTC', c.START_TIME)::TIMESTAMP_NTZ AS START_TIME,
        CONVERT_TIMEZONE('UTC', c.END_TIME)::TIMESTAMP_NTZ AS END_TIME,
        c.USER_NAME,
        c.AGENT_DATABASE_NAME,
        c.AGENT_SCHEMA_NAME,
        c.AGENT_NAME,
        c.TOKENS,
        c.TOKEN_CREDITS,
        c.USER_TAGS,
        NULL AS AGENT_TAGS
    FROM {{COWORK_USAGE_HISTORY}} AS c
    WHERE c.REQUEST_ID IS NOT NULL AND {{READ_COWORK}}
),
per_view AS (
    SELECT
        r.REQUEST_ID,
        r.USAGE_VIEW,
        MIN(r.USAGE_VIEW_PRECEDENCE) AS USAGE_VIEW_PRECEDENCE,
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
    GROUP BY r.REQUEST_ID, r.USAGE_VIEW
),
requests AS (
    SELECT v.*, COUNT(*) OVER (PARTITION BY v.REQUEST_ID) AS USAGE_VIEWS
    FROM per_view AS v
    QUALIFY ROW_NUMBER() OVER (PARTITION BY v.REQUEST_ID ORDER BY v.USAGE_VIEW_PRECEDENCE) = 1
),
user_tag_teams AS (
    SELECT r.REQUEST_ID, r.USAGE_VIEW, MAX(t.value:tag_value::STRING) AS TEAM
    FROM usage_rows AS r, LATERAL FLATTEN(input => r.USER_TAGS) AS t
    WHERE UPPER(t.value:tag_name::STRING) = {{TEAM_TAG}}
    GROUP BY r.REQUEST_ID, r.USAGE_VIEW
),
agent_tag_teams AS (
    SELECT r.REQUEST_ID, r.USAGE_VIEW, MAX(t.value:tag_value::STRING) AS TEAM
    FROM usage_rows AS r, LATERAL FLATTEN(input => r.AGENT_TAGS) AS t
    WHERE UPPER(t.value:tag_name::STRING) = {{TEAM_TAG}}
    GROUP BY r.REQUEST_ID, r.USAGE_VIEW
)
SELECT
    q.REQUEST_ID, q.USAGE_VIEW, q.USAGE_VIEWS, q.PARENT_REQUEST_ID, q.START_TIME, q.END_TIME, q.USER_NAME,
    q.AGENT_DATABASE, q.AGENT_SCHEMA, q.AGENT_NAME, q.TOKENS, q.CREDITS, q.USAGE_ROWS,
    user_tag.TEAM AS USER_TAG_TEAM, agent_tag.TEAM AS AGENT_TAG_TEAM
FROM requests AS q
LEFT JOIN user_tag_teams AS user_tag ON user_tag.REQUEST_ID = q.REQUEST_ID AND user_tag.USAGE_VIEW = q.USAGE_VIEW
LEFT JOIN agent_tag_teams AS agent_tag ON agent_tag.REQUEST_ID = q.REQUEST_ID AND agent_tag.USAGE_VIEW = q.USAGE_VIEW
