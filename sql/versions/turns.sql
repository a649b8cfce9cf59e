-- One row per production turn (an AGENT_RUN root span; evaluation runs never count,
-- evaluation/production_history.sql) with the agent version that served it and what the version
-- views compare: outcome, latency, tokens, tool calls and the turn's feedback.
-- VERSION_SOURCE says where the version came from: EVENTS when the turn's spans name it
-- (VERSION_NAME, sql/ingestion/parsed_events.sql); SNAPSHOT when they do not and the discovery
-- snapshots (sql/ingestion/record_version_snapshots.sql) had a default version for the agent when the
-- turn ended. A request routed by alias is not told apart by a snapshot, which is why the events'
-- version wins. A turn before the first snapshot, with no version in its events, has none.
-- The including statement names the turns it wants in a relation `turn_window` (FROM_TS, TO_TS): turns
-- ending in (FROM_TS, TO_TS]. Spans are read from an hour before FROM_TS, so a turn's spans are whole
-- unless it ran longer than an hour; feedback given after TO_TS is not seen yet. It also defines
-- READ_FROM (evaluation/production_history_from.sql), the same instant as an hour before FROM_TS
-- written from constants and binds: production rows are read from there, evaluation marks from
-- TRACE_MARGIN_DAYS before it.
SELECT
    t.AGENT_DATABASE, t.AGENT_SCHEMA, t.AGENT_NAME, t.TRACE_ID, t.REQUEST_ID, t.TURN_END,
    COALESCE(t.VERSION_NAME, t.DEFAULT_VERSION) AS VERSION_NAME,
    CASE WHEN t.VERSION_NAME IS NOT NULL THEN 'EVENTS' WHEN t.DEFAULT_VERSION IS NOT NULL THEN 'SNAPSHOT' END AS VERSION_SOURCE,
    t.FAILED, t.LATENCY_MS, t.TOKENS, t.TOOL_CALLS, t.TOOL_ERRORS,
    f.REQUEST_ID IS NOT NULL AS RATED,
    COALESCE(f.NEGATIVE, FALSE) AS NEGATIVE
FROM (
    SELECT r.*, d.VERSION_NAME AS DEFAULT_VERSION
    FROM (
        SELECT
            h.AGENT_DATABASE, h.AGENT_SCHEMA, h.AGENT_NAME, h.TRACE_ID,
            MAX(IFF(h.SPAN_CATEGORY = 'AGENT_RUN', h.REQUEST_ID, NULL)) AS REQUEST_ID,
            MAX(IFF(h.SPAN_CATEGORY = 'AGENT_RUN', h.EVENT_TIMESTAMP, NULL)) AS TURN_END,
            COALESCE(MAX(IFF(h.SPAN_CATEGORY = 'AGENT_RUN', h.VERSION_NAME, NULL)), MAX(h.VERSION_NAME)) AS VERSION_NAME,
            SUM(IFF(h.SPAN_CATEGORY = 'AGENT_RUN' AND h.STATUS = 'ERROR', 1, 0)) > 0 AS FAILED,
            MAX(IFF(h.SPAN_CATEGORY = 'AGENT_RUN', h.SPAN_DURATION_MS, NULL)) AS LATENCY_MS,
            -- Tokens sit on LLM_CALL spans only (parsed_events.sql), so the sum counts each call once.
            COALESCE(SUM(h.TOTAL_TOKENS), 0) AS TOKENS,
            SUM(IFF(h.TOOL_KIND IS NOT NULL AND h.STATUS IS NOT NULL, 1, 0)) AS TOOL_CALLS,
            SUM(IFF(h.TOOL_KIND IS NOT NULL AND h.STATUS = 'ERROR', 1, 0)) AS TOOL_ERRORS
        FROM ({{> evaluation/production_history_from.sql}}) AS h
        CROSS JOIN turn_window AS w
        WHERE h.RECORD_TYPE = 'SPAN' AND h.TRACE_ID IS NOT NULL
          AND h.EVENT_TIMESTAMP > DATEADD('hour', -1, w.FROM_TS) AND h.EVENT_TIMESTAMP <= w.TO_TS
        GROUP BY h.AGENT_DATABASE, h.AGENT_SCHEMA, h.AGENT_NAME, h.TRACE_ID
        HAVING SUM(IFF(h.SPAN_CATEGORY = 'AGENT_RUN', 1, 0)) > 0
           AND MAX(IFF(h.SPAN_CATEGORY = 'AGENT_RUN', h.EVENT_TIMESTAMP, NULL)) > MIN(w.FROM_TS)
    ) AS r
    LEFT JOIN {{SNAPSHOT_TABLE}} AS d
        ON r.VERSION_NAME IS NULL AND d.IS_DEFAULT
       AND d.AGENT_DATABASE = r.AGENT_DATABASE AND d.AGENT_SCHEMA = r.AGENT_SCHEMA AND d.AGENT_NAME = r.AGENT_NAME
       AND d.SNAPSHOT_AT <= r.TURN_END
    QUALIFY ROW_NUMBER() OVER (PARTITION BY r.AGENT_DATABASE, r.AGENT_SCHEMA, r.AGENT_NAME, r.TRACE_ID
                               ORDER BY d.SNAPSHOT_AT DESC NULLS LAST) = 1
) AS t
LEFT JOIN (
    -- A turn's feedback, by its request id; negative when any rating of it was.
    SELECT b.AGENT_DATABASE, b.AGENT_SCHEMA, b.AGENT_NAME, b.FEEDBACK_REQUEST_ID AS REQUEST_ID,
           SUM(IFF(b.FEEDBACK_POSITIVE = FALSE, 1, 0)) > 0 AS NEGATIVE
    FROM ({{> evaluation/production_history_from.sql}}) AS b
    CROSS JOIN turn_window AS w
    WHERE b.SPAN_CATEGORY = 'FEEDBACK' AND b.FEEDBACK_POSITIVE IS NOT NULL AND b.FEEDBACK_REQUEST_ID IS NOT NULL
      AND b.EVENT_TIMESTAMP > w.FROM_TS AND b.EVENT_TIMESTAMP <= w.TO_TS
    GROUP BY b.AGENT_DATABASE, b.AGENT_SCHEMA, b.AGENT_NAME, b.FEEDBACK_REQUEST_ID
) AS f
    ON f.AGENT_DATABASE = t.AGENT_DATABASE AND f.AGENT_SCHEMA = t.AGENT_SCHEMA AND f.AGENT_NAME = t.AGENT_NAME
   AND f.REQUEST_ID = t.REQUEST_ID
