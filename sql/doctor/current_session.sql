-- Who and where the doctor is: the account, its region, and the session's role and user.
-- https://docs.snowflake.com/en/sql-reference/functions/current_region
SELECT CURRENT_ACCOUNT() AS ACCOUNT_NAME, CURRENT_REGION() AS REGION, CURRENT_ROLE() AS ROLE_NAME, CURRENT_USER() AS USER_NAME
