-- An email or webhook integration: one row when it exists (and the role may see it), none when it is gone.
SHOW NOTIFICATION INTEGRATIONS LIKE {{NAME}}
