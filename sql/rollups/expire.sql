-- Drops one rollup's days older than rollupRetentionDays (UTC). Raw-history retention never
-- touches rollups. Binds: 1 rollup retention days.
DELETE FROM {{ROLLUP_TABLE}} WHERE DAY < DATEADD('day', -CAST(? AS INTEGER), TO_DATE(SYSDATE()))
