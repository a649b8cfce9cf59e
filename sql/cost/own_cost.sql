-- What Wallmonitor itself consumed, per UTC day and per object, from SNOWFLAKE.ACCOUNT_USAGE,
-- with the estimate beside it. Only Wallmonitor's own objects count: a usage row is kept when
-- its database, schema and name are those of an object in WALLMONITOR_OWN_COST_ESTIMATE, which
-- the stack renders (its tasks, dynamic tables and warehouse).
--   SERVERLESS_TASK_HISTORY: credits of each serverless task, in hourly rows; CREDITS_USED is
--     documented as text (https://docs.snowflake.com/en/sql-reference/account-usage/serverless_task_history).
--   WAREHOUSE_METERING_HISTORY: credits of the warehouse, in hourly rows, compute and cloud
--     services together (https://docs.snowflake.com/en/sql-reference/account-usage/warehouse_metering_history).
--     It runs the dynamic-table refreshes and the dashboard's queries; an existing warehouse
--     shared with other work (createWarehouse false) reports that work too.
--   DYNAMIC_TABLE_REFRESH_HISTORY: one row per refresh and no credits: a refresh is billed as
--     the warehouse's time (https://docs.snowflake.com/en/user-guide/dynamic-tables-cost). RUNS
--     counts the refreshes that ran on the warehouse (REFRESH_ACTION INCREMENTAL, FULL or
--     REINITIALIZE; NO_DATA used none) and CREDITS is NULL
--     (https://docs.snowflake.com/en/sql-reference/account-usage/dynamic_table_refresh_history).
-- Wallmonitor evaluates alerts in a serverless task, not in ALERT objects, so
-- SERVERLESS_ALERT_HISTORY holds nothing of it. The views lag by up to three hours, so today's
-- rows are incomplete. Days are UTC, like the rest of Wallmonitor.
WITH usage_rows AS (
    SELECT
        'SERVERLESS_TASK_HISTORY' AS USAGE_VIEW,
        t.DATABASE_NAME AS OBJECT_DATABASE,
        t.SCHEMA_NAME AS OBJECT_SCHEMA,
        t.TASK_NAME AS OBJECT_NAME,
        CONVERT_TIMEZONE('UTC', t.START_TIME)::TIMESTAMP_NTZ AS START_TIME,
        CAST(t.CREDITS_USED AS NUMBER(38, 9)) AS CREDITS,
        NULL AS RUNS
    FROM SNOWFLAKE.ACCOUNT_USAGE.SERVERLESS_TASK_HISTORY AS t
    UNION ALL
    SELECT
        'WAREHOUSE_METERING_HISTORY',
        NULL,
        NULL,
        w.WAREHOUSE_NAME,
        CONVERT_TIMEZONE('UTC', w.START_TIME)::TIMESTAMP_NTZ,
        CAST(w.CREDITS_USED AS NUMBER(38, 9)),
        NULL
    FROM SNOWFLAKE.ACCOUNT_USAGE.WAREHOUSE_METERING_HISTORY AS w
    UNION ALL
    SELECT
        'DYNAMIC_TABLE_REFRESH_HISTORY',
        r.DATABASE_NAME,
        r.SCHEMA_NAME,
        r.NAME,
        CONVERT_TIMEZONE('UTC', r.REFRESH_START_TIME)::TIMESTAMP_NTZ,
        NULL,
        IFF(r.REFRESH_ACTION IN ('INCREMENTAL', 'FULL', 'REINITIALIZE'), 1, 0)
    FROM SNOWFLAKE.ACCOUNT_USAGE.DYNAMIC_TABLE_REFRESH_HISTORY AS r
),
own_rows AS (
    SELECT e.COMPONENT, e.USAGE_VIEW, e.OBJECT_NAME, e.ESTIMATED_DAILY_RUNS, e.ESTIMATED_DAILY_CREDITS,
        u.START_TIME::DATE AS DAY, u.CREDITS, u.RUNS
    FROM usage_rows AS u
    JOIN {{ref WALLMONITOR_OWN_COST_ESTIMATE}} AS e
        ON u.USAGE_VIEW = e.USAGE_VIEW
        AND u.OBJECT_NAME = e.OBJECT_NAME
        AND COALESCE(u.OBJECT_DATABASE, '') = COALESCE(e.OBJECT_DATABASE, '')
        AND COALESCE(u.OBJECT_SCHEMA, '') = COALESCE(e.OBJECT_SCHEMA, '')
)
SELECT
    o.DAY,
    o.COMPONENT,
    o.USAGE_VIEW,
    o.OBJECT_NAME,
    CAST(SUM(o.CREDITS) AS NUMBER(38, 9)) AS CREDITS,
    CAST(SUM(o.RUNS) AS NUMBER(18, 0)) AS RUNS,
    MAX(o.ESTIMATED_DAILY_CREDITS) AS ESTIMATED_CREDITS,
    MAX(o.ESTIMATED_DAILY_RUNS) AS ESTIMATED_RUNS
FROM own_rows AS o
GROUP BY o.DAY, o.COMPONENT, o.USAGE_VIEW, o.OBJECT_NAME
