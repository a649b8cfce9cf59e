-- Estimated credits per UTC day, agent and model from the daily rollup MODEL_DAILY_ROLLUP, which
-- is kept rollupRetentionDays while the raw history behind the ledger is kept historyDays: the
-- long-term trend of estimated cost. The rollup holds input and output tokens only, so cache
-- reads and writes are not charged here: for a day the history still holds, this is at most the
-- ledger's estimate. Chargeback reads COST_DAILY / COST_MONTHLY, not this view.
WITH rates AS (
    SELECT * FROM {{ref COST_MODEL_RATES}}
),
highest AS (
    SELECT MAX(INPUT_RATE) AS INPUT_RATE, MAX(OUTPUT_RATE) AS OUTPUT_RATE FROM rates
),
estimated AS (
    SELECT
        r.DAY, r.AGENT_DATABASE, r.AGENT_SCHEMA, r.AGENT_NAME, LOWER(r.MODEL_NAME) AS MODEL_NAME,
        r.LLM_CALLS, r.PROMPT_TOKENS AS INPUT_TOKENS, r.COMPLETION_TOKENS AS OUTPUT_TOKENS,
        t.MODEL_NAME IS NOT NULL AS RATED,
        CAST((r.PROMPT_TOKENS * COALESCE(t.INPUT_RATE, m.INPUT_RATE)
              + r.COMPLETION_TOKENS * COALESCE(t.OUTPUT_RATE, m.OUTPUT_RATE)) / 1000000 AS NUMBER(38, 9))
            AS ESTIMATED_CREDITS
    FROM {{ref MODEL_DAILY_ROLLUP}} AS r
    LEFT JOIN rates AS t ON t.MODEL_NAME = LOWER(r.MODEL_NAME)
    CROSS JOIN highest AS m
)
SELECT e.*, e.ESTIMATED_CREDITS * {{CREDIT_PRICE}} AS ESTIMATED_AMOUNT, {{CURRENCY}} AS CURRENCY
FROM estimated AS e
