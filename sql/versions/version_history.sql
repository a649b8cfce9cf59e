-- One row per agent version seen in the last {{HISTORY_DAYS}} days or in the snapshots: where it was found (SOURCE: EVENTS when turns' events name it, else
-- SNAPSHOT: from the discovery snapshots alone, or turns attributed to the default version), first
-- and last turn, turns, error rate, the models and tools its turns used, its aliases and default flag
-- as the newest snapshot has them, its spec hash, and which parts of the spec changed against the
-- version before it (by creation time, else first turn): instructions, tools, models, budget
-- (orchestration). CHANGED_PARTS is NULL when either spec is unknown (a version is hashed when it is
-- the default at a discovery cycle: sql/ingestion/describe_agent.sql).
{{expr READ_FROM = DATEADD('hour', -1, DATEADD('day', -{{HISTORY_DAYS}}, SYSDATE()))}}
WITH turn_window AS (SELECT DATEADD('day', -{{HISTORY_DAYS}}, SYSDATE()) AS FROM_TS, SYSDATE() AS TO_TS),
turns AS (
    SELECT t.* FROM ({{> versions/turns.sql}}) AS t WHERE t.VERSION_NAME IS NOT NULL
),
seen AS (
    SELECT t.AGENT_DATABASE, t.AGENT_SCHEMA, t.AGENT_NAME, t.VERSION_NAME,
           MIN(t.TURN_END) AS FIRST_SEEN, MAX(t.TURN_END) AS LAST_SEEN, COUNT(*) AS TURNS,
           SUM(IFF(t.VERSION_SOURCE = 'EVENTS', 1, 0)) AS EVENT_TURNS,
           SUM(IFF(t.FAILED, 1, 0)) / CAST(COUNT(*) AS DOUBLE) AS ERROR_RATE
    FROM turns AS t
    GROUP BY t.AGENT_DATABASE, t.AGENT_SCHEMA, t.AGENT_NAME, t.VERSION_NAME
),
used AS (
    SELECT t.AGENT_DATABASE, t.AGENT_SCHEMA, t.AGENT_NAME, t.VERSION_NAME,
           LISTAGG(DISTINCT h.MODEL_NAME, ', ') WITHIN GROUP (ORDER BY h.MODEL_NAME) AS MODELS,
           LISTAGG(DISTINCT h.TOOL_NAME, ', ') WITHIN GROUP (ORDER BY h.TOOL_NAME) AS TOOLS
    FROM turns AS t
    JOIN ({{> evaluation/production_history_from.sql}}) AS h
        ON h.AGENT_DATABASE = t.AGENT_DATABASE AND h.AGENT_SCHEMA = t.AGENT_SCHEMA AND h.AGENT_NAME = t.AGENT_NAME
       AND h.TRACE_ID = t.TRACE_ID
    WHERE h.RECORD_TYPE = 'SPAN' AND (h.MODEL_NAME IS NOT NULL OR h.TOOL_NAME IS NOT NULL)
    GROUP BY t.AGENT_DATABASE, t.AGENT_SCHEMA, t.AGENT_NAME, t.VERSION_NAME
),
snapshot AS (
    SELECT s.*
    FROM {{SNAPSHOT_TABLE}} AS s
    QUALIFY ROW_NUMBER() OVER (PARTITION BY s.AGENT_DATABASE, s.AGENT_SCHEMA, s.AGENT_NAME, s.VERSION_NAME
                               ORDER BY s.SNAPSHOT_AT DESC) = 1
),
versions AS (
    SELECT
        COALESCE(v.AGENT_DATABASE, s.AGENT_DATABASE) AS AGENT_DATABASE,
        COALESCE(v.AGENT_SCHEMA, s.AGENT_SCHEMA) AS AGENT_SCHEMA,
        COALESCE(v.AGENT_NAME, s.AGENT_NAME) AS AGENT_NAME,
        COALESCE(v.VERSION_NAME, s.VERSION_NAME) AS VERSION_NAME,
        IFF(COALESCE(v.EVENT_TURNS, 0) > 0, 'EVENTS', 'SNAPSHOT') AS SOURCE,
        v.FIRST_SEEN, v.LAST_SEEN, COALESCE(v.TURNS, 0) AS TURNS, v.ERROR_RATE,
        s.ALIASES, s.IS_DEFAULT, s.VERSION_CREATED_ON, s.SPEC_HASH,
        s.INSTRUCTIONS_HASH, s.TOOLS_HASH, s.MODELS_HASH, s.BUDGET_HASH
    FROM seen AS v
    FULL OUTER JOIN snapshot AS s
        ON s.AGENT_DATABASE = v.AGENT_DATABASE AND s.AGENT_SCHEMA = v.AGENT_SCHEMA AND s.AGENT_NAME = v.AGENT_NAME
       AND s.VERSION_NAME = v.VERSION_NAME
),
ordered AS (
    SELECT v.*,
           LAG(v.VERSION_NAME) OVER (PARTITION BY v.AGENT_DATABASE, v.AGENT_SCHEMA, v.AGENT_NAME
                                     ORDER BY COALESCE(v.VERSION_CREATED_ON, v.FIRST_SEEN), v.VERSION_NAME) AS PREVIOUS_VERSION,
           LAG(v.SPEC_HASH) OVER (PARTITION BY v.AGENT_DATABASE, v.AGENT_SCHEMA, v.AGENT_NAME
                                  ORDER BY COALESCE(v.VERSION_CREATED_ON, v.FIRST_SEEN), v.VERSION_NAME) AS PREVIOUS_SPEC_HASH,
           LAG(v.INSTRUCTIONS_HASH) OVER (PARTITION BY v.AGENT_DATABASE, v.AGENT_SCHEMA, v.AGENT_NAME
                                          ORDER BY COALESCE(v.VERSION_CREATED_ON, v.FIRST_SEEN), v.VERSION_NAME) AS PREVIOUS_INSTRUCTIONS_HASH,
           LAG(v.TOOLS_HASH) OVER (PARTITION BY v.AGENT_DATABASE, v.AGENT_SCHEMA, v.AGENT_NAME
                                   ORDER BY COALESCE(v.VERSION_CREATED_ON, v.FIRST_SEEN), v.VERSION_NAME) AS PREVIOUS_TOOLS_HASH,
           LAG(v.MODELS_HASH) OVER (PARTITION BY v.AGENT_DATABASE, v.AGENT_SCHEMA, v.AGENT_NAME
                                    ORDER BY COALESCE(v.VERSION_CREATED_ON, v.FIRST_SEEN), v.VERSION_NAME) AS PREVIOUS_MODELS_HASH,
           LAG(v.BUDGET_HASH) OVER (PARTITION BY v.AGENT_DATABASE, v.AGENT_SCHEMA, v.AGENT_NAME
                                    ORDER BY COALESCE(v.VERSION_CREATED_ON, v.FIRST_SEEN), v.VERSION_NAME) AS PREVIOUS_BUDGET_HASH
    FROM versions AS v
)
SELECT
    o.AGENT_DATABASE, o.AGENT_SCHEMA, o.AGENT_NAME,
    o.AGENT_DATABASE || '.' || o.AGENT_SCHEMA || '.' || o.AGENT_NAME AS AGENT_FULL_NAME,
    o.VERSION_NAME, o.SOURCE, o.FIRST_SEEN, o.LAST_SEEN, o.TURNS, o.ERROR_RATE,
    u.MODELS, u.TOOLS, o.ALIASES, o.IS_DEFAULT, o.VERSION_CREATED_ON, o.SPEC_HASH, o.PREVIOUS_VERSION,
    IFF(o.SPEC_HASH IS NULL OR o.PREVIOUS_SPEC_HASH IS NULL, NULL,
        COALESCE(NULLIF(SUBSTR(
            IFF(o.INSTRUCTIONS_HASH <> o.PREVIOUS_INSTRUCTIONS_HASH, ', instructions', '')
            || IFF(o.TOOLS_HASH <> o.PREVIOUS_TOOLS_HASH, ', tools', '')
            || IFF(o.MODELS_HASH <> o.PREVIOUS_MODELS_HASH, ', models', '')
            || IFF(o.BUDGET_HASH <> o.PREVIOUS_BUDGET_HASH, ', budget', ''), 3), ''), 'none')) AS CHANGED_PARTS
FROM ordered AS o
LEFT JOIN used AS u
    ON u.AGENT_DATABASE = o.AGENT_DATABASE AND u.AGENT_SCHEMA = o.AGENT_SCHEMA AND u.AGENT_NAME = o.AGENT_NAME
   AND u.VERSION_NAME = o.VERSION_NAME
