-- Users default to DEFAULT_SECONDARY_ROLES = ('ALL'): without this a check would also use the
-- user's other roles and report access the checked role alone does not have.
USE SECONDARY ROLES NONE
