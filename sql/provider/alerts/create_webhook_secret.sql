-- The webhook's credential (the secret part of a Slack or Teams URL, or a PagerDuty routing key)
-- is bound to the ? at run time: it is never part of this text, the stack's state or the plan.
-- (Unverified on a live account: that CREATE SECRET accepts a bind variable for SECRET_STRING.)
CREATE OR REPLACE SECRET {{SECRET}}
    TYPE = GENERIC_STRING
    SECRET_STRING = ?
    COMMENT = {{COMMENT}}
