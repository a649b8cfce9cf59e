-- Rotates the token in place (bound at run time, after the same bind-history check as
-- create_git_secret.sql), so the API integration and the repository that name the secret keep
-- working.
ALTER SECRET {{SECRET}} SET USERNAME = {{USERNAME}} PASSWORD = {{bind password}}
