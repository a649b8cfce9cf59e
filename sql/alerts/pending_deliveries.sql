-- Recorded transitions not yet sent (PENDING), oldest first: each is sent once, by the
-- evaluation that first claims it (claim_delivery.sql).
SELECT DELIVERY_KEY, EVENT_TYPE, LEVEL, MESSAGE
FROM {{HISTORY_TABLE}}
WHERE DELIVERY_STATUS = 'PENDING'
ORDER BY EVALUATED_AT, DELIVERY_KEY
