-- The history rows of production traffic: every row whose trace no evaluation run wrote
-- (history.sql), over the whole history. Only readers of the whole history read this: the cost
-- views (COST_REQUESTS, COST_REQUEST_MODELS), one row per request ever stored, whose reconciliation
-- with the usage views has no window to bound. A reader of a window reads
-- production_history_from.sql, which looks for marks near that window only.
SELECT p.*
FROM (
    {{> evaluation/history.sql}}
) AS p
WHERE NOT p.IS_EVALUATION
