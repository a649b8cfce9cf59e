-- The modern FROM form: the files are copied into the app's own versioned stage at CREATE
-- (ROOT_LOCATION is the legacy form, with no multi-file editing and no Git). A new version of
-- the files needs this statement again, so grants on the app are made again after it.
CREATE OR REPLACE STREAMLIT {{STREAMLIT}}
    FROM {{SOURCE_LOCATION}}
    MAIN_FILE = {{MAIN_FILE}}
    QUERY_WAREHOUSE = {{WAREHOUSE}}
    TITLE = {{TITLE}}
    COMMENT = {{COMMENT}}
