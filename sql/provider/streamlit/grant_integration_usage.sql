-- The owner role creates the Git repository, which needs USAGE on the integration.
GRANT USAGE ON INTEGRATION {{INTEGRATION}} TO ROLE {{ROLE}}
