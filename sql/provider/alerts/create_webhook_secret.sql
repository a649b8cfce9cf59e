-- The webhook's credential (the secret part of a Slack or Teams URL, or a PagerDuty routing key)
-- is bound at run time: it is never part of this text, the stack's state or the plan.
-- A bound value stays readable in bind history unless the account sets
-- ALLOW_BIND_VALUES_ACCESS = FALSE, so the provider checks that first (provider/bindHistory.ts).
-- (Unverified on a live account: that CREATE SECRET accepts a bind variable for SECRET_STRING;
-- public code does it, and SECRET is not among the commands the bind-variable docs exclude.)
CREATE OR REPLACE SECRET {{SECRET}}
    TYPE = GENERIC_STRING
    SECRET_STRING = {{bind secret_string}}
    COMMENT = {{COMMENT}}
