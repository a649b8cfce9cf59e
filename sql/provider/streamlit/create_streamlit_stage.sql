-- Holds the app's files as uploaded from the repository's streamlit/ folder. Server-side
-- encryption, so Snowsight can show the files; a directory table, so they can be listed.
CREATE STAGE IF NOT EXISTS {{STAGE}}
    DIRECTORY = (ENABLE = TRUE)
    ENCRYPTION = (TYPE = 'SNOWFLAKE_SSE')
    COMMENT = {{COMMENT}}
