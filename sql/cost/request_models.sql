-- Estimated cost: one row per agent request (trace) and model, with the tokens of each class its
-- LLM calls reported and the credits the rate table puts on them, class by class:
--   (input x INPUT_RATE + output x OUTPUT_RATE + cache read x CACHE_READ_RATE
--    + cache write x CACHE_WRITE_RATE) / 1,000,000.
-- Conservative where unsure: cache reads and writes are charged on top of input (whether input
-- already counts them is unverified), and a model missing from the rate table is charged the
-- highest rate of each class (RATED = FALSE).
WITH rates AS (
    SELECT * FROM {{ref COST_MODEL_RATES}}
),
highest AS (
    SELECT MAX(INPUT_RATE) AS INPUT_RATE, MAX(OUTPUT_RATE) AS OUTPUT_RATE,
           MAX(CACHE_READ_RATE) AS CACHE_READ_RATE, MAX(CACHE_WRITE_RATE) AS CACHE_WRITE_RATE
    FROM rates
),
tokens AS (
    SELECT
        h.AGENT_DATABASE, h.AGENT_SCHEMA, h.AGENT_NAME, h.TRACE_ID,
        COALESCE(LOWER(h.MODEL_NAME), 'unknown') AS MODEL_NAME,
        COUNT(*) AS LLM_CALLS,
        COALESCE(SUM(h.PROMPT_TOKENS), 0) AS INPUT_TOKENS,
        COALESCE(SUM(h.COMPLETION_TOKENS), 0) AS OUTPUT_TOKENS,
        COALESCE(SUM(h.CACHE_READ_TOKENS), 0) AS CACHE_READ_TOKENS,
        COALESCE(SUM(h.CACHE_WRITE_TOKENS), 0) AS CACHE_WRITE_TOKENS
    FROM ({{> evaluation/production_history.sql}}) AS h
    WHERE h.SPAN_CATEGORY = 'LLM_CALL' AND h.TRACE_ID IS NOT NULL
      AND (h.MODEL_NAME IS NOT NULL OR h.PROMPT_TOKENS IS NOT NULL OR h.COMPLETION_TOKENS IS NOT NULL)
    GROUP BY h.AGENT_DATABASE, h.AGENT_SCHEMA, h.AGENT_NAME, h.TRACE_ID, COALESCE(LOWER(h.MODEL_NAME), 'unknown')
)
SELECT
    t.AGENT_DATABASE, t.AGENT_SCHEMA, t.AGENT_NAME, t.TRACE_ID, t.MODEL_NAME, t.LLM_CALLS,
    t.INPUT_TOKENS, t.OUTPUT_TOKENS, t.CACHE_READ_TOKENS, t.CACHE_WRITE_TOKENS,
    r.MODEL_NAME IS NOT NULL AS RATED,
    CAST((t.INPUT_TOKENS * COALESCE(r.INPUT_RATE, m.INPUT_RATE)
          + t.OUTPUT_TOKENS * COALESCE(r.OUTPUT_RATE, m.OUTPUT_RATE)
          + t.CACHE_READ_TOKENS * COALESCE(r.CACHE_READ_RATE, m.CACHE_READ_RATE)
          + t.CACHE_WRITE_TOKENS * COALESCE(r.CACHE_WRITE_RATE, m.CACHE_WRITE_RATE)) / 1000000 AS NUMBER(38, 9))
        AS ESTIMATED_CREDITS
FROM tokens AS t
LEFT JOIN rates AS r ON r.MODEL_NAME = t.MODEL_NAME
CROSS JOIN highest AS m
