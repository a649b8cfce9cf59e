-- Both arguments are bound JSON strings built by the procedure: the message, as
-- {"text/plain": "..."} holding the text sanitize_message.sql returned, and the integration
-- configuration, as an object keyed by the integration name (with the subject and recipients for
-- email). It only queues the message: NOTIFICATION_HISTORY tells later whether it was delivered.
-- Unverified on a live account: that the system procedure takes bind variables for both.
-- https://docs.snowflake.com/en/sql-reference/stored-procedures/system_send_snowflake_notification
CALL SYSTEM$SEND_SNOWFLAKE_NOTIFICATION({{bind message}}, {{bind integration_configuration}})
