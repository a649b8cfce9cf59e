-- Cost per {{GRAIN}} by team, agent, user, model and whether it is actual (and from which usage
-- view, USAGE_VIEW) or estimated: every request of the ledger once, split by model, so totals by
-- any of these columns reconcile to the account total. REQUESTS counts the requests that used
-- the model.
SELECT
    DATE_TRUNC({{GRAIN}}, l.DAY)::DATE AS {{PERIOD_COLUMN}},
    l.TEAM,
    l.AGENT_DATABASE, l.AGENT_SCHEMA, l.AGENT_NAME,
    l.USER_NAME,
    l.MODEL_NAME,
    l.COST_SOURCE,
    l.USAGE_VIEW,
    COUNT(DISTINCT l.REQUEST_KEY) AS REQUESTS,
    SUM(l.INPUT_TOKENS) AS INPUT_TOKENS,
    SUM(l.OUTPUT_TOKENS) AS OUTPUT_TOKENS,
    SUM(l.CACHE_READ_TOKENS) AS CACHE_READ_TOKENS,
    SUM(l.CACHE_WRITE_TOKENS) AS CACHE_WRITE_TOKENS,
    SUM(l.CREDITS) AS CREDITS,
    SUM(l.AMOUNT) AS AMOUNT,
    MAX(l.CURRENCY) AS CURRENCY
FROM {{ref COST_LEDGER_BY_MODEL}} AS l
GROUP BY DATE_TRUNC({{GRAIN}}, l.DAY)::DATE, l.TEAM, l.AGENT_DATABASE, l.AGENT_SCHEMA, l.AGENT_NAME, l.USER_NAME,
         l.MODEL_NAME, l.COST_SOURCE, l.USAGE_VIEW
