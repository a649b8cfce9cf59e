-- SNOWFLAKE_WEBHOOK_SECRET in the URL or body is filled from the secret when Snowflake sends;
-- SNOWFLAKE_WEBHOOK_MESSAGE in the body is the message EVALUATE_ALERTS passes.
CREATE OR REPLACE NOTIFICATION INTEGRATION {{INTEGRATION}}
    TYPE = WEBHOOK
    ENABLED = TRUE
    WEBHOOK_URL = {{URL}}
    WEBHOOK_SECRET = {{SECRET}}
    WEBHOOK_BODY_TEMPLATE = {{BODY_TEMPLATE}}
    WEBHOOK_HEADERS = ('Content-Type' = 'application/json')
    COMMENT = {{COMMENT}}
