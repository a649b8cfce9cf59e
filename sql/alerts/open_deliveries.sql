-- Transitions whose notifications were queued but whose outcome is not known yet.
SELECT DELIVERY_KEY, DELIVERIES
FROM {{HISTORY_TABLE}}
WHERE DELIVERY_STATUS IN ('QUEUED', 'RETRYING')
ORDER BY EVALUATED_AT, DELIVERY_KEY
