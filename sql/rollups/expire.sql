-- Drops one rollup's days older than rollupRetentionDays (UTC). Raw-history retention never
-- touches rollups.
DELETE FROM {{ROLLUP_TABLE}} WHERE DAY < DATEADD('day', -CAST({{bind rollup_retention_days}} AS INTEGER), TO_DATE(SYSDATE()))
