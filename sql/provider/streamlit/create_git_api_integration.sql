-- Account-level, so it runs as the admin role (CREATE INTEGRATION). Snowflake may reach only
-- the allowed prefixes, and only with the named secret.
CREATE OR REPLACE API INTEGRATION {{INTEGRATION}}
    API_PROVIDER = git_https_api
    API_ALLOWED_PREFIXES = ({{ALLOWED_PREFIXES}})
    ALLOWED_AUTHENTICATION_SECRETS = ({{SECRET}})
    ENABLED = TRUE
    COMMENT = {{COMMENT}}
