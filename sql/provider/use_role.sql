-- Switches the session's role: the access probes run as the role that will read the events, and
-- the notification integrations' statements as the admin role (account level) or the owner role.
USE ROLE {{ROLE}}
