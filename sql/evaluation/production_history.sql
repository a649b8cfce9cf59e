-- The history rows of production traffic: every row whose trace no evaluation run wrote
-- (history.sql). Production metrics (alerts, cost) read this instead of the history table.
SELECT p.*
FROM (
    {{> evaluation/history.sql}}
) AS p
WHERE NOT p.IS_EVALUATION
