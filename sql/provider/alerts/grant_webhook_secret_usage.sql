-- The role that creates the webhook integration must hold USAGE on the secret the integration
-- names (https://docs.snowflake.com/en/user-guide/notifications/webhook-notifications); the owner
-- role owns the secret and grants it. The integration reads the secret only when it sends.
GRANT USAGE ON SECRET {{SECRET}} TO ROLE {{ROLE}}
