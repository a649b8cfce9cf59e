-- What became of one transition's notifications: the overall status, the per-integration summary
-- (NOTIFIED_VIA), the per-integration results as JSON (DELIVERIES), the errors, when it was
-- checked, and the message as sent (NULL keeps the recorded one).
UPDATE {{HISTORY_TABLE}}
SET DELIVERY_STATUS = ?, NOTIFIED_VIA = ?, DELIVERIES = ?, DELIVERY_ERROR = ?,
    DELIVERY_CHECKED_AT = CAST(? AS TIMESTAMP_NTZ), MESSAGE = COALESCE(?, MESSAGE)
WHERE DELIVERY_KEY = ?
