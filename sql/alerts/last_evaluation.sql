-- The latest AS_OF any evaluation recorded, and the clock (naive UTC): EVALUATE_ALERTS refuses an
-- AS_OF before the first (state only moves forward) or after the second (the future).
SELECT MAX(LAST_EVALUATED_AT) AS LAST_EVALUATED_AT, SYSDATE() AS NOW
FROM {{STATE_TABLE}}
