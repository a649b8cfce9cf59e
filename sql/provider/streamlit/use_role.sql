-- The Git-sourced app switches roles inside one session: account-level statements (the API
-- integration and its usage grant) run as the admin role, everything in the schema as the
-- owner role, which then owns it.
USE ROLE {{ROLE}}
