-- One row when the integration exists (and the role may see it), none when it is gone.
SHOW NOTIFICATION INTEGRATIONS LIKE {{NAME}}
