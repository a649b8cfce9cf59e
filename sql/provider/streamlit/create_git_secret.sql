-- The token is bound to the ? at run time: it is never part of this text, so it stays out of
-- the stack's state, the plan and Snowflake's query text. (Unverified on a live account: that
-- CREATE SECRET accepts a bind variable for PASSWORD.)
CREATE OR REPLACE SECRET {{SECRET}}
    TYPE = PASSWORD
    USERNAME = {{USERNAME}}
    PASSWORD = ?
    COMMENT = {{COMMENT}}
