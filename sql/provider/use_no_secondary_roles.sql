-- Users default to DEFAULT_SECONDARY_ROLES = ('ALL'): without this, a probe would also use the
-- deploying user's other roles and report access the owner role does not have.
USE SECONDARY ROLES NONE
