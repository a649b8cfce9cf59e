-- Rotates the credential in place (bound at run time, after the same bind-history check as
-- create_webhook_secret.sql), so the integration naming the secret keeps working.
ALTER SECRET {{SECRET}} SET SECRET_STRING = {{bind secret_string}}
