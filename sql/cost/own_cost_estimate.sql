-- What Wallmonitor itself is estimated to cost a day, per object that spends credits: the
-- serverless tasks, the dynamic tables (whose refreshes are billed as warehouse time, so their
-- ESTIMATED_DAILY_CREDITS is NULL) and the warehouse. Rendered from the stack's config by the
-- model in lib/config/ownCostModel.ts, the one the offline plan prints; BASIS says how each
-- figure is made. Every figure is an estimate: WALLMONITOR_OWN_COST puts it beside what
-- SNOWFLAKE.ACCOUNT_USAGE reports, so the model can be checked.
SELECT
    e.COMPONENT::STRING AS COMPONENT,
    e.USAGE_VIEW::STRING AS USAGE_VIEW,
    e.OBJECT_DATABASE::STRING AS OBJECT_DATABASE,
    e.OBJECT_SCHEMA::STRING AS OBJECT_SCHEMA,
    e.OBJECT_NAME::STRING AS OBJECT_NAME,
    e.ESTIMATED_DAILY_RUNS::NUMBER(18, 2) AS ESTIMATED_DAILY_RUNS,
    e.ESTIMATED_DAILY_CREDITS::NUMBER(38, 6) AS ESTIMATED_DAILY_CREDITS,
    e.BASIS::STRING AS BASIS
FROM (VALUES
    {{OWN_COST_ESTIMATE}}
) AS e (COMPONENT, USAGE_VIEW, OBJECT_DATABASE, OBJECT_SCHEMA, OBJECT_NAME, ESTIMATED_DAILY_RUNS, ESTIMATED_DAILY_CREDITS, BASIS)
