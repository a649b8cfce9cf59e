-- Grants one of SNOWFLAKE's application roles in plain SQL: the Snowflake provider's
-- GrantApplicationRole is unreliable for SNOWFLAKE.* roles (terraform-provider-snowflake #3954),
-- and the provider treats "does not exist" (002003) here as "this account lacks the role".
GRANT APPLICATION ROLE {{APPLICATION_ROLE}} TO ROLE {{ROLE}}
