-- A clone of the repository inside the schema, owned by the owner role.
CREATE OR REPLACE GIT REPOSITORY {{REPOSITORY}}
    ORIGIN = {{ORIGIN}}
    API_INTEGRATION = {{INTEGRATION}}
    GIT_CREDENTIALS = {{SECRET}}
    COMMENT = {{COMMENT}}
