-- Undoes grant_application_role.sql. The provider reads "does not exist" (002003) here as
-- "already gone": the application role or the grantee role was dropped before this ran.
REVOKE APPLICATION ROLE {{APPLICATION_ROLE}} FROM ROLE {{ROLE}}
