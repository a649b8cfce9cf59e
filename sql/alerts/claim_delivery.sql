-- Claims a PENDING transition for sending (SENDING) before anything is sent: a failure after the
-- claim can lose that notification, never send it twice. 0 rows updated: another run has it.
UPDATE {{HISTORY_TABLE}} SET DELIVERY_STATUS = 'SENDING'
WHERE DELIVERY_KEY = {{bind delivery_key}} AND DELIVERY_STATUS = 'PENDING'
