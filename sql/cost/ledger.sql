-- The cost ledger: one row per agent request, every request counted once, so any grouping of it
-- (team, agent, user, day) adds up to the account total.
--   ORIGIN EVENT: a request in the event history. COST_SOURCE ACTUAL with the usage view's
--     TOKEN_CREDITS when its join key matches a usage row (COST_BASIS MATCHED), from the agent
--     view or the CoWork view (COST_USAGE); otherwise
--     ESTIMATED from the rate table, with why: USAGE_PENDING (after the last usage the view has
--     reported, so it may still arrive), NO_USAGE_ROW (the view has caught up and has no such
--     request), NO_JOIN_KEY (the request carries no key) or DUPLICATE_JOIN_KEY (an earlier
--     request holds the same key and its usage). An estimated row becomes actual as soon as
--     its usage row arrives: the ledger is computed when read.
--   ORIGIN USAGE: a usage row no request in the history matches (traffic of agents Wallmonitor
--     does not ingest, events past historyDays, or a wrong join key): ACTUAL, COST_BASIS
--     USAGE_ONLY. A low match rate with much USAGE_ONLY cost points at the join key (see
--     COST_RECONCILIATION), and until it is corrected such requests are counted twice: once
--     estimated, once actual - the conservative side.
-- USAGE_VIEW labels every ACTUAL row with the usage view its credits come from
-- (CORTEX_AGENT_USAGE_HISTORY or the configured CoWork view); it is NULL on ESTIMATED rows.
-- TEAM, by precedence: the user's team in costTeamsByUser, the agent's in costTeamsByAgent, with
-- costUseTags the usage row's user tag, then its agent tag; else UNASSIGNED.
WITH requests AS (
    SELECT r.*,
           ROW_NUMBER() OVER (PARTITION BY r.JOIN_KEY ORDER BY r.REQUEST_TIME, r.TRACE_ID) AS JOIN_KEY_RANK
    FROM {{ref COST_REQUESTS}} AS r
),
usage AS (
    SELECT * FROM {{ref COST_USAGE}}
),
reported AS (
    SELECT MAX(END_TIME) AS REPORTED_UNTIL FROM usage
),
from_events AS (
    SELECT
        'EVENT' AS ORIGIN,
        r.TRACE_ID AS REQUEST_KEY,
        r.TRACE_ID,
        r.REQUEST_TIME,
        r.AGENT_DATABASE, r.AGENT_SCHEMA, r.AGENT_NAME, r.USER_NAME, r.THREAD_ID,
        r.JOIN_KEY,
        CASE
            WHEN u.REQUEST_ID IS NOT NULL THEN 'MATCHED'
            WHEN r.JOIN_KEY IS NULL THEN 'NO_JOIN_KEY'
            WHEN r.JOIN_KEY_RANK > 1 THEN 'DUPLICATE_JOIN_KEY'
            WHEN p.REPORTED_UNTIL IS NULL OR r.REQUEST_TIME > p.REPORTED_UNTIL THEN 'USAGE_PENDING'
            ELSE 'NO_USAGE_ROW'
        END AS COST_BASIS,
        r.ESTIMATED_CREDITS,
        u.CREDITS AS ACTUAL_CREDITS,
        u.USAGE_VIEW,
        r.ALL_MODELS_RATED,
        alt.REQUEST_ID IS NOT NULL AS ALTERNATE_KEY_MATCHED,
        u.USER_TAG_TEAM,
        u.AGENT_TAG_TEAM
    FROM requests AS r
    CROSS JOIN reported AS p
    LEFT JOIN usage AS u ON u.REQUEST_ID = r.JOIN_KEY AND r.JOIN_KEY_RANK = 1
    LEFT JOIN usage AS alt ON alt.REQUEST_ID = r.ALTERNATE_KEY
),
from_usage AS (
    SELECT
        'USAGE' AS ORIGIN,
        'USAGE:' || u.REQUEST_ID AS REQUEST_KEY,
        NULL AS TRACE_ID,
        u.START_TIME AS REQUEST_TIME,
        u.AGENT_DATABASE, u.AGENT_SCHEMA, u.AGENT_NAME, u.USER_NAME,
        NULL AS THREAD_ID,
        u.REQUEST_ID AS JOIN_KEY,
        'USAGE_ONLY' AS COST_BASIS,
        NULL AS ESTIMATED_CREDITS,
        u.CREDITS AS ACTUAL_CREDITS,
        u.USAGE_VIEW,
        TRUE AS ALL_MODELS_RATED,
        FALSE AS ALTERNATE_KEY_MATCHED,
        u.USER_TAG_TEAM,
        u.AGENT_TAG_TEAM
    FROM usage AS u
    WHERE NOT EXISTS (SELECT 1 FROM requests AS r WHERE r.JOIN_KEY = u.REQUEST_ID AND r.JOIN_KEY_RANK = 1)
),
costed AS (
    SELECT * FROM from_events
    UNION ALL
    SELECT * FROM from_usage
),
mappings AS (
    SELECT * FROM {{ref COST_TEAM_MAPPINGS}}
)
SELECT
    c.REQUEST_TIME::DATE AS DAY,
    c.REQUEST_TIME,
    c.ORIGIN,
    c.REQUEST_KEY,
    c.TRACE_ID,
    c.JOIN_KEY,
    c.AGENT_DATABASE, c.AGENT_SCHEMA, c.AGENT_NAME, c.USER_NAME, c.THREAD_ID,
    IFF(c.ACTUAL_CREDITS IS NULL, 'ESTIMATED', 'ACTUAL') AS COST_SOURCE,
    c.USAGE_VIEW,
    c.COST_BASIS,
    CAST(COALESCE(c.ACTUAL_CREDITS, c.ESTIMATED_CREDITS) AS NUMBER(38, 9)) AS CREDITS,
    CAST(c.ESTIMATED_CREDITS AS NUMBER(38, 9)) AS ESTIMATED_CREDITS,
    CAST(c.ACTUAL_CREDITS AS NUMBER(38, 9)) AS ACTUAL_CREDITS,
    CAST(COALESCE(c.ACTUAL_CREDITS, c.ESTIMATED_CREDITS) AS NUMBER(38, 9)) * {{CREDIT_PRICE}} AS AMOUNT,
    {{CURRENCY}} AS CURRENCY,
    c.ALL_MODELS_RATED,
    c.ALTERNATE_KEY_MATCHED,
    COALESCE(mu.TEAM, ma.TEAM, IFF({{USE_TAGS}}, c.USER_TAG_TEAM, NULL), IFF({{USE_TAGS}}, c.AGENT_TAG_TEAM, NULL),
             {{UNASSIGNED}}) AS TEAM,
    CASE
        WHEN mu.TEAM IS NOT NULL THEN 'USER_MAPPING'
        WHEN ma.TEAM IS NOT NULL THEN 'AGENT_MAPPING'
        WHEN {{USE_TAGS}} AND c.USER_TAG_TEAM IS NOT NULL THEN 'USER_TAG'
        WHEN {{USE_TAGS}} AND c.AGENT_TAG_TEAM IS NOT NULL THEN 'AGENT_TAG'
        ELSE {{UNASSIGNED}}
    END AS TEAM_SOURCE
FROM costed AS c
LEFT JOIN mappings AS mu ON mu.KIND = 'USER' AND mu.NAME = UPPER(c.USER_NAME)
LEFT JOIN mappings AS ma
    ON ma.KIND = 'AGENT' AND ma.NAME = UPPER(c.AGENT_DATABASE || '.' || c.AGENT_SCHEMA || '.' || c.AGENT_NAME)
