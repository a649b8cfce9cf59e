-- The live shape of what this cycle loaded, per agent: of the spans loaded at or after the cycle's
-- start (a reloaded overlap row is deduplicated by EVENT_KEY and keeps its first LOADED_AT, so every
-- span is counted once), how many carry each column parsed from an attribute Wallmonitor relies on,
-- and the span names ingestion could not categorise (SPAN_CATEGORY OTHER, parsed_events.sql) with
-- their counts. Counting parsed columns rather than RECORD_ATTRIBUTES keeps this independent of
-- storeConversationText (RAW_ATTRIBUTES is NULL without it) and of the ingest path, and measures
-- exactly what the metrics read. The kinds and columns follow the doctor's list (doctor/shapes.ts
-- RELIED_ON, test/shapeCoverage.test.ts keeps them together): ROOT = the turn's root span,
-- PLANNING = ReasoningAgentStepPlanning-N, TOOL = tool spans. A column parsed with a fallback
-- (STATUS_CODE falls back to the span's OpenTelemetry status, TOOL_NAME to the span name) shows
-- what the metric gets, so it reaches zero only when the fallback is gone too.
-- Evaluation spans are left out: they have names of their own and are not production traffic.
-- The cycle's spans are read once, into few groups per agent (GROUPS: agent, span kind and, for an
-- uncategorised span, its name); the coverage rows, the unknown-name rows and each agent's total
-- are all taken from those groups. GROUPS is a CTE referenced twice rather than a window over the
-- aggregate (DuckDB plans that window as a second scan). Assumed, not documented: Snowflake computes
-- a WITH clause once and reads it back at each reference (the WithClause and WithReference operators
-- of https://docs.snowflake.com/en/user-guide/ui-query-profile); GET_QUERY_OPERATOR_STATS on this
-- statement's query ID shows one TableScan of the history if so. Either way only the cycle's rows
-- are scanned (cycle_spans.sql). DuckDB materialises a CTE referenced twice.
INSERT INTO {{COVERAGE_TABLE}} (CYCLE_STARTED, AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, SIGNAL, SPAN_KIND, NAME, SPANS, MATCHING)
SELECT CAST({{bind cycle_started}} AS TIMESTAMP_NTZ), c.AGENT_DATABASE, c.AGENT_SCHEMA, c.AGENT_NAME,
       c.SIGNAL, c.SPAN_KIND, c.NAME, c.SPANS, c.MATCHING
FROM (
WITH GROUPS AS (
    SELECT s.AGENT_DATABASE, s.AGENT_SCHEMA, s.AGENT_NAME, s.SPAN_KIND, s.IS_UNKNOWN, s.SPAN_NAME,
           COUNT(*) AS SPANS,
           COUNT(s.THREAD_ID) AS THREAD_ID, COUNT(s.STATUS_CODE) AS STATUS_CODE, COUNT(s.MODEL_NAME) AS MODEL_NAME,
           COUNT(s.PROMPT_TOKENS) AS PROMPT_TOKENS, COUNT(s.COMPLETION_TOKENS) AS COMPLETION_TOKENS,
           COUNT(s.TOOL_NAME) AS TOOL_NAME
    FROM (
        SELECT y.AGENT_DATABASE, y.AGENT_SCHEMA, y.AGENT_NAME, y.SPAN_KIND,
               y.SPAN_CATEGORY = 'OTHER' AS IS_UNKNOWN,
               IFF(y.SPAN_CATEGORY = 'OTHER', y.SPAN_NAME, NULL) AS SPAN_NAME,
               y.THREAD_ID, y.STATUS_CODE, y.MODEL_NAME, y.PROMPT_TOKENS, y.COMPLETION_TOKENS, y.TOOL_NAME
        FROM (
            {{> ingestion/cycle_spans.sql}}
        ) AS y
    ) AS s
    GROUP BY s.AGENT_DATABASE, s.AGENT_SCHEMA, s.AGENT_NAME, s.SPAN_KIND, s.IS_UNKNOWN, s.SPAN_NAME
)
SELECT g.AGENT_DATABASE, g.AGENT_SCHEMA, g.AGENT_NAME,
       IFF(g.IS_UNKNOWN, 'UNKNOWN_SPAN_NAME', 'COVERAGE') AS SIGNAL,
       r.SPAN_KIND,
       IFF(g.IS_UNKNOWN, g.SPAN_NAME, r.NAME) AS NAME,
       IFF(g.IS_UNKNOWN, t.SPANS, g.SPANS) AS SPANS,
       CASE
           WHEN g.IS_UNKNOWN THEN g.SPANS
           WHEN r.NAME = 'THREAD_ID' THEN g.THREAD_ID
           WHEN r.NAME = 'STATUS_CODE' THEN g.STATUS_CODE
           WHEN r.NAME = 'MODEL_NAME' THEN g.MODEL_NAME
           WHEN r.NAME = 'PROMPT_TOKENS' THEN g.PROMPT_TOKENS
           WHEN r.NAME = 'COMPLETION_TOKENS' THEN g.COMPLETION_TOKENS
           WHEN r.NAME = 'TOOL_NAME' THEN g.TOOL_NAME
       END AS MATCHING
FROM GROUPS AS g
JOIN (
    SELECT 'ROOT' AS SPAN_KIND, 'THREAD_ID' AS NAME
    UNION ALL SELECT 'ROOT', 'STATUS_CODE'
    UNION ALL SELECT 'PLANNING', 'MODEL_NAME'
    UNION ALL SELECT 'PLANNING', 'PROMPT_TOKENS'
    UNION ALL SELECT 'PLANNING', 'COMPLETION_TOKENS'
    UNION ALL SELECT 'TOOL', 'TOOL_NAME'
    UNION ALL SELECT 'TOOL', 'STATUS_CODE'
    -- Uncategorised spans, one row per name, of any kind.
    UNION ALL SELECT 'ANY', NULL
) AS r
    ON r.SPAN_KIND = IFF(g.IS_UNKNOWN, 'ANY', g.SPAN_KIND)
JOIN (
    SELECT AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, SUM(SPANS) AS SPANS
    FROM GROUPS
    GROUP BY AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME
) AS t
    ON t.AGENT_DATABASE = g.AGENT_DATABASE AND t.AGENT_SCHEMA = g.AGENT_SCHEMA AND t.AGENT_NAME = g.AGENT_NAME
) AS c
