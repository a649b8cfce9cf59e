-- The token is bound at run time: it is never part of this text, so it stays out of
-- the stack's state, the plan and Snowflake's query text. A bound value stays readable in bind
-- history unless the account sets ALLOW_BIND_VALUES_ACCESS = FALSE, so the provider checks that
-- first (provider/bindHistory.ts). (Unverified on a live account: that CREATE SECRET accepts a
-- bind variable for PASSWORD; no public example does. A refusal is reported, never retried.)
CREATE OR REPLACE SECRET {{SECRET}}
    TYPE = PASSWORD
    USERNAME = {{USERNAME}}
    PASSWORD = {{bind password}}
    COMMENT = {{COMMENT}}
