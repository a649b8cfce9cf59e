-- The production history rows from READ_FROM on (an expression the including statement defines,
-- an expr definition of lib/sql/template.ts: the earliest row it reads, from its bound evaluation time or
-- SYSDATE()): every row whose trace no evaluation run wrote, by history_from.sql's rule, marks
-- looked for from READ_FROM less TRACE_MARGIN_DAYS. The alert rules, the SLO burn rates and
-- windows and the version turns read this, so that each evaluation reads its window and the marks
-- near it whatever historyDays is (issue 19); readers of the whole history read production_history.sql.
SELECT p.*
FROM (
    {{> evaluation/history_from.sql}}
) AS p
WHERE NOT p.IS_EVALUATION
