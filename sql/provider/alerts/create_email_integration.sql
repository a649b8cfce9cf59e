-- Snowflake sends only to these addresses, each the verified email of a user in the account.
CREATE OR REPLACE NOTIFICATION INTEGRATION {{INTEGRATION}}
    TYPE = EMAIL
    ENABLED = TRUE
    ALLOWED_RECIPIENTS = ({{RECIPIENTS}})
    COMMENT = {{COMMENT}}
