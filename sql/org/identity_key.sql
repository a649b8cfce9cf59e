-- The organisation's key for pseudonymous user identities in the share (wallmonitor:orgIdentityKey,
-- a Pulumi secret, the same in every member; NULL when the share names users). A secure view in
-- Wallmonitor's own schema, granted to no role and never added to the share: the shared secure
-- views read it, and a share's consumer sees neither their definitions nor this view.
-- https://docs.snowflake.com/en/user-guide/views-secure
SELECT CAST({{IDENTITY_KEY}} AS VARCHAR) AS IDENTITY_KEY
