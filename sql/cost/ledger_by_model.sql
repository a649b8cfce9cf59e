-- The ledger split by model: each request's credits shared among the models it used, in
-- proportion to their estimated credits (equally when it has no estimate). Shares are rounded
-- to the ledger's 9 decimals and the request's largest model takes the rounding remainder, so
-- a request's rows add up to its ledger credits exactly. Usage-only requests, whose models the
-- event history does not show, are one row of model 'unknown'.
WITH split AS (
    SELECT
        l.*,
        COALESCE(m.MODEL_NAME, 'unknown') AS MODEL_NAME,
        COALESCE(m.INPUT_TOKENS, 0) AS INPUT_TOKENS,
        COALESCE(m.OUTPUT_TOKENS, 0) AS OUTPUT_TOKENS,
        COALESCE(m.CACHE_READ_TOKENS, 0) AS CACHE_READ_TOKENS,
        COALESCE(m.CACHE_WRITE_TOKENS, 0) AS CACHE_WRITE_TOKENS,
        COALESCE(m.ESTIMATED_CREDITS, 0) AS MODEL_ESTIMATED_CREDITS,
        SUM(COALESCE(m.ESTIMATED_CREDITS, 0)) OVER (PARTITION BY l.REQUEST_KEY) AS REQUEST_ESTIMATED_CREDITS,
        COUNT(*) OVER (PARTITION BY l.REQUEST_KEY) AS REQUEST_MODELS,
        ROW_NUMBER() OVER (PARTITION BY l.REQUEST_KEY
                           ORDER BY m.ESTIMATED_CREDITS DESC NULLS LAST, m.MODEL_NAME) AS MODEL_RANK
    FROM {{ref COST_LEDGER}} AS l
    LEFT JOIN {{ref COST_REQUEST_MODELS}} AS m
        ON l.ORIGIN = 'EVENT' AND m.TRACE_ID = l.TRACE_ID AND m.AGENT_DATABASE = l.AGENT_DATABASE
       AND m.AGENT_SCHEMA = l.AGENT_SCHEMA AND m.AGENT_NAME = l.AGENT_NAME
),
shared AS (
    SELECT
        s.*,
        CAST(IFF(s.REQUEST_ESTIMATED_CREDITS > 0,
                 s.CREDITS * s.MODEL_ESTIMATED_CREDITS / s.REQUEST_ESTIMATED_CREDITS,
                 s.CREDITS / s.REQUEST_MODELS) AS NUMBER(38, 9)) AS SHARE
    FROM split AS s
),
exact AS (
    SELECT
        h.*,
        CAST(IFF(h.MODEL_RANK = 1, h.CREDITS - (SUM(h.SHARE) OVER (PARTITION BY h.REQUEST_KEY) - h.SHARE), h.SHARE)
             AS NUMBER(38, 9)) AS MODEL_CREDITS
    FROM shared AS h
)
SELECT
    e.DAY, e.REQUEST_TIME, e.ORIGIN, e.REQUEST_KEY, e.TRACE_ID, e.AGENT_DATABASE, e.AGENT_SCHEMA, e.AGENT_NAME,
    e.USER_NAME, e.THREAD_ID, e.TEAM, e.TEAM_SOURCE, e.COST_SOURCE, e.USAGE_VIEW, e.COST_BASIS, e.MODEL_NAME,
    e.INPUT_TOKENS, e.OUTPUT_TOKENS, e.CACHE_READ_TOKENS, e.CACHE_WRITE_TOKENS,
    e.MODEL_CREDITS AS CREDITS,
    e.MODEL_CREDITS * {{CREDIT_PRICE}} AS AMOUNT,
    e.CURRENCY
FROM exact AS e
