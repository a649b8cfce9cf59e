-- One Wallmonitor table's rows tagged with the account they come from (SOURCE_ACCOUNT =
-- ORGANIZATION.ACCOUNT, fixed at deployment: in a share, CURRENT_ACCOUNT() would name the reader).
-- The columns are listed one by one, so only what is listed leaves the account.
SELECT {{SOURCE_ACCOUNT}} AS SOURCE_ACCOUNT, {{COLUMNS}}
FROM {{SOURCE_TABLE}}
