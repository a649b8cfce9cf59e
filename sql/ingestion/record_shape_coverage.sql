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
INSERT INTO {{COVERAGE_TABLE}} (CYCLE_STARTED, AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, SIGNAL, SPAN_KIND, NAME, SPANS, MATCHING)
SELECT CAST({{bind cycle_started}} AS TIMESTAMP_NTZ), c.AGENT_DATABASE, c.AGENT_SCHEMA, c.AGENT_NAME,
       c.SIGNAL, c.SPAN_KIND, c.NAME, c.SPANS, c.MATCHING
FROM (
    SELECT k.AGENT_DATABASE, k.AGENT_SCHEMA, k.AGENT_NAME, 'COVERAGE' AS SIGNAL, k.SPAN_KIND, r.NAME, k.SPANS,
           CASE r.NAME
               WHEN 'THREAD_ID' THEN k.THREAD_ID
               WHEN 'STATUS_CODE' THEN k.STATUS_CODE
               WHEN 'MODEL_NAME' THEN k.MODEL_NAME
               WHEN 'PROMPT_TOKENS' THEN k.PROMPT_TOKENS
               WHEN 'COMPLETION_TOKENS' THEN k.COMPLETION_TOKENS
               WHEN 'TOOL_NAME' THEN k.TOOL_NAME
           END AS MATCHING
    FROM (
        SELECT s.AGENT_DATABASE, s.AGENT_SCHEMA, s.AGENT_NAME, s.SPAN_KIND, COUNT(*) AS SPANS,
               COUNT(s.THREAD_ID) AS THREAD_ID, COUNT(s.STATUS_CODE) AS STATUS_CODE, COUNT(s.MODEL_NAME) AS MODEL_NAME,
               COUNT(s.PROMPT_TOKENS) AS PROMPT_TOKENS, COUNT(s.COMPLETION_TOKENS) AS COMPLETION_TOKENS,
               COUNT(s.TOOL_NAME) AS TOOL_NAME
        FROM (
            {{> ingestion/cycle_spans.sql}}
        ) AS s
        GROUP BY 1, 2, 3, 4
    ) AS k
    JOIN (
        SELECT 'ROOT' AS SPAN_KIND, 'THREAD_ID' AS NAME
        UNION ALL SELECT 'ROOT', 'STATUS_CODE'
        UNION ALL SELECT 'PLANNING', 'MODEL_NAME'
        UNION ALL SELECT 'PLANNING', 'PROMPT_TOKENS'
        UNION ALL SELECT 'PLANNING', 'COMPLETION_TOKENS'
        UNION ALL SELECT 'TOOL', 'TOOL_NAME'
        UNION ALL SELECT 'TOOL', 'STATUS_CODE'
    ) AS r ON r.SPAN_KIND = k.SPAN_KIND
    UNION ALL
    SELECT u.AGENT_DATABASE, u.AGENT_SCHEMA, u.AGENT_NAME, 'UNKNOWN_SPAN_NAME', 'ANY', u.SPAN_NAME, t.SPANS, u.MATCHING
    FROM (
        SELECT s.AGENT_DATABASE, s.AGENT_SCHEMA, s.AGENT_NAME, s.SPAN_NAME, COUNT(*) AS MATCHING
        FROM (
            {{> ingestion/cycle_spans.sql}}
        ) AS s
        WHERE s.SPAN_CATEGORY = 'OTHER'
        GROUP BY 1, 2, 3, 4
    ) AS u
    JOIN (
        SELECT s.AGENT_DATABASE, s.AGENT_SCHEMA, s.AGENT_NAME, COUNT(*) AS SPANS
        FROM (
            {{> ingestion/cycle_spans.sql}}
        ) AS s
        GROUP BY 1, 2, 3
    ) AS t ON t.AGENT_DATABASE = u.AGENT_DATABASE AND t.AGENT_SCHEMA = u.AGENT_SCHEMA AND t.AGENT_NAME = u.AGENT_NAME
) AS c
