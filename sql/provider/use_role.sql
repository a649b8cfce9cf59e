-- Probes run as the role that will read the events, not as the deploying role.
USE ROLE {{ROLE}}
