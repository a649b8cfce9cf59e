-- Both arguments are bound JSON strings built by the procedure: the message, as
-- {"text/plain": "..."}, and the integration configuration, as an object keyed by the integration name (with
-- the subject and recipients for email). Unverified on a live account: that the system
-- procedure takes bind variables for both.
CALL SYSTEM$SEND_SNOWFLAKE_NOTIFICATION(?, ?)
