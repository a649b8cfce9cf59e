-- Each agent's default comparison, over the versioned turns of the including statement (a relation
-- named `turns`): the version its CANARY alias points at (the candidate) against the one its
-- PRODUCTION alias points at (the baseline), the documented canary pattern
-- (https://docs.snowflake.com/en/user-guide/snowflake-cortex/cortex-agents-versioning), as the newest
-- discovery snapshot of each version has its aliases. Without both aliases on two different versions:
-- the version whose first turn in the window is newest against the one before it. PAIR_BASIS says which.
-- The alias names are spelled here only.
SELECT
    v.AGENT_DATABASE, v.AGENT_SCHEMA, v.AGENT_NAME,
    IFF(a.HAS_ALIASES, a.PRODUCTION_VERSION, v.PREVIOUS_VERSION) AS BASELINE_VERSION,
    IFF(a.HAS_ALIASES, a.CANARY_VERSION, v.NEWEST_VERSION) AS CANDIDATE_VERSION,
    IFF(a.HAS_ALIASES, 'CANARY_VS_PRODUCTION', 'NEWEST_VS_PREVIOUS') AS PAIR_BASIS
FROM (
    SELECT o.AGENT_DATABASE, o.AGENT_SCHEMA, o.AGENT_NAME,
           MAX(IFF(o.ORDINAL = 1, o.VERSION_NAME, NULL)) AS NEWEST_VERSION,
           MAX(IFF(o.ORDINAL = 2, o.VERSION_NAME, NULL)) AS PREVIOUS_VERSION
    FROM (
        SELECT f.*, ROW_NUMBER() OVER (PARTITION BY f.AGENT_DATABASE, f.AGENT_SCHEMA, f.AGENT_NAME
                                       ORDER BY f.FIRST_TURN DESC, f.VERSION_NAME DESC) AS ORDINAL
        FROM (
            SELECT t.AGENT_DATABASE, t.AGENT_SCHEMA, t.AGENT_NAME, t.VERSION_NAME, MIN(t.TURN_END) AS FIRST_TURN
            FROM turns AS t
            WHERE t.VERSION_NAME IS NOT NULL
            GROUP BY t.AGENT_DATABASE, t.AGENT_SCHEMA, t.AGENT_NAME, t.VERSION_NAME
        ) AS f
    ) AS o
    GROUP BY o.AGENT_DATABASE, o.AGENT_SCHEMA, o.AGENT_NAME
) AS v
LEFT JOIN (
    SELECT l.AGENT_DATABASE, l.AGENT_SCHEMA, l.AGENT_NAME,
           MAX_BY(IFF(l.IS_CANARY, l.VERSION_NAME, NULL), IFF(l.IS_CANARY, l.SNAPSHOT_AT, NULL)) AS CANARY_VERSION,
           MAX_BY(IFF(l.IS_PRODUCTION, l.VERSION_NAME, NULL), IFF(l.IS_PRODUCTION, l.SNAPSHOT_AT, NULL)) AS PRODUCTION_VERSION,
           COALESCE(MAX_BY(IFF(l.IS_CANARY, l.VERSION_NAME, NULL), IFF(l.IS_CANARY, l.SNAPSHOT_AT, NULL))
                    <> MAX_BY(IFF(l.IS_PRODUCTION, l.VERSION_NAME, NULL), IFF(l.IS_PRODUCTION, l.SNAPSHOT_AT, NULL)), FALSE) AS HAS_ALIASES
    FROM (
        SELECT s.AGENT_DATABASE, s.AGENT_SCHEMA, s.AGENT_NAME, s.VERSION_NAME, s.SNAPSHOT_AT,
               ',' || COALESCE(s.ALIASES, '') || ',' LIKE '%,CANARY,%' AS IS_CANARY,
               ',' || COALESCE(s.ALIASES, '') || ',' LIKE '%,PRODUCTION,%' AS IS_PRODUCTION
        FROM {{SNAPSHOT_TABLE}} AS s
        QUALIFY ROW_NUMBER() OVER (PARTITION BY s.AGENT_DATABASE, s.AGENT_SCHEMA, s.AGENT_NAME, s.VERSION_NAME
                                   ORDER BY s.SNAPSHOT_AT DESC) = 1
    ) AS l
    GROUP BY l.AGENT_DATABASE, l.AGENT_SCHEMA, l.AGENT_NAME
) AS a
    ON a.AGENT_DATABASE = v.AGENT_DATABASE AND a.AGENT_SCHEMA = v.AGENT_SCHEMA AND a.AGENT_NAME = v.AGENT_NAME
WHERE IFF(a.HAS_ALIASES, a.PRODUCTION_VERSION, v.PREVIOUS_VERSION) IS NOT NULL
