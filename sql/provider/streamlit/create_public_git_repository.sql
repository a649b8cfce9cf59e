-- As create_git_repository.sql, for a public repository: no credentials.
CREATE OR REPLACE GIT REPOSITORY {{REPOSITORY}}
    ORIGIN = {{ORIGIN}}
    API_INTEGRATION = {{INTEGRATION}}
    COMMENT = {{COMMENT}}
