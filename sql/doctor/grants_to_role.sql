-- What a role holds: columns created_on, privilege, granted_on, name, granted_to, grantee_name,
-- grant_option, granted_by (https://docs.snowflake.com/en/sql-reference/sql/show-grants).
SHOW GRANTS TO ROLE {{ROLE}}
