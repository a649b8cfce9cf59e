-- Every alert rule the stack deploys, from its record (sql/alerts/rules/<rule>.yml), with the
-- thresholds in force: one row per rule as the stack sets it (AGENT_FULL_NAME NULL), and one
-- per agent and rule that wallmonitor:alertRules overrides for that agent. The Alerts page
-- labels and formats values from it. Rendered from validated config and the records, as a
-- VALUES list (https://docs.snowflake.com/en/sql-reference/constructs/values).
SELECT
    r.RULE_NAME::STRING AS RULE_NAME,
    r.LABEL::STRING AS LABEL,
    r.MEASURES::STRING AS MEASURES,
    r.UNIT::STRING AS UNIT,
    r.VALUE_FORMAT::STRING AS VALUE_FORMAT,
    r.IS_RATIO = 1 AS IS_RATIO,
    r.IS_WINDOWED = 1 AS IS_WINDOWED,
    r.AGENT_FULL_NAME::STRING AS AGENT_FULL_NAME,
    r.ENABLED = 1 AS ENABLED,
    r.WARNING_THRESHOLD::FLOAT AS WARNING_THRESHOLD,
    r.CRITICAL_THRESHOLD::FLOAT AS CRITICAL_THRESHOLD,
    r.WINDOW_MINUTES::NUMBER(10, 0) AS WINDOW_MINUTES,
    r.MIN_VOLUME::NUMBER(10, 0) AS MIN_VOLUME
FROM (VALUES
    {{ALERT_RULE_ROWS}}
) AS r (RULE_NAME, LABEL, MEASURES, UNIT, VALUE_FORMAT, IS_RATIO, IS_WINDOWED, AGENT_FULL_NAME, ENABLED,
        WARNING_THRESHOLD, CRITICAL_THRESHOLD, WINDOW_MINUTES, MIN_VOLUME)
