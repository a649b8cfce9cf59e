-- What became of one transition's notifications: the overall status, the per-integration summary
-- (NOTIFIED_VIA), the per-integration results as JSON (DELIVERIES), the errors, when it was
-- checked, and the message as sent (NULL keeps the recorded one).
UPDATE {{HISTORY_TABLE}}
SET DELIVERY_STATUS = {{bind delivery_status}}, NOTIFIED_VIA = {{bind notified_via}}, DELIVERIES = {{bind deliveries}}, DELIVERY_ERROR = {{bind delivery_error}},
    DELIVERY_CHECKED_AT = CAST({{bind delivery_checked_at}} AS TIMESTAMP_NTZ), MESSAGE = COALESCE({{bind message}}, MESSAGE)
WHERE DELIVERY_KEY = {{bind delivery_key}}
