-- As create_git_api_integration.sql, for a public repository: no secret is allowed.
CREATE OR REPLACE API INTEGRATION {{INTEGRATION}}
    API_PROVIDER = git_https_api
    API_ALLOWED_PREFIXES = ({{ALLOWED_PREFIXES}})
    ENABLED = TRUE
    COMMENT = {{COMMENT}}
