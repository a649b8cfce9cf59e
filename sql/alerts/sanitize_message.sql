-- The message as Snowflake's own sanitiser returns it: every webhook placeholder
-- (SNOWFLAKE_WEBHOOK_SECRET, SNOWFLAKE_WEBHOOK_MESSAGE) in the bound text becomes REDACTED, so
-- SYSTEM$SEND_SNOWFLAKE_NOTIFICATION finds none to fill with the credential.
-- https://docs.snowflake.com/en/sql-reference/functions/sanitize_webhook_content
SELECT SNOWFLAKE.NOTIFICATION.SANITIZE_WEBHOOK_CONTENT({{bind message}}) AS MESSAGE
