-- schema_drift per active agent, from the newest ingestion cycle at or before AS_OF that loaded its
-- spans (sql/ingestion/record_shape_coverage.sql). VALUE is 1 when a column that some span of its kind
-- carried in the BASELINE_DAYS before is carried by none in that cycle (a renamed or dropped attribute:
-- the metric reading it is now zero), else the share of the cycle's spans with names ingestion does not
-- recognise (0 with none). VOLUME is the cycle's spans; DETAIL names the first vanished column, or
-- the first unrecognised name. An agent whose newest cycle has no spans of a kind is not judged on it.
WITH clock AS (SELECT CAST({{bind as_of}} AS TIMESTAMP_NTZ) AS AS_OF),
latest AS (
    SELECT c.AGENT_DATABASE, c.AGENT_SCHEMA, c.AGENT_NAME, MAX(c.CYCLE_STARTED) AS CYCLE_STARTED
    FROM {{COVERAGE_TABLE}} AS c
    CROSS JOIN clock AS k
    WHERE c.CYCLE_STARTED <= k.AS_OF
    GROUP BY 1, 2, 3
),
newest AS (
    SELECT c.AGENT_DATABASE, c.AGENT_SCHEMA, c.AGENT_NAME, c.SIGNAL, c.SPAN_KIND, c.NAME, c.SPANS, c.MATCHING
    FROM {{COVERAGE_TABLE}} AS c
    JOIN latest AS l
        ON l.AGENT_DATABASE = c.AGENT_DATABASE AND l.AGENT_SCHEMA = c.AGENT_SCHEMA AND l.AGENT_NAME = c.AGENT_NAME
        AND l.CYCLE_STARTED = c.CYCLE_STARTED
),
present AS (
    SELECT DISTINCT c.AGENT_DATABASE, c.AGENT_SCHEMA, c.AGENT_NAME, c.SPAN_KIND, c.NAME
    FROM {{COVERAGE_TABLE}} AS c
    JOIN latest AS l
        ON l.AGENT_DATABASE = c.AGENT_DATABASE AND l.AGENT_SCHEMA = c.AGENT_SCHEMA AND l.AGENT_NAME = c.AGENT_NAME
    CROSS JOIN clock AS k
    WHERE c.SIGNAL = 'COVERAGE' AND c.MATCHING > 0
        AND c.CYCLE_STARTED < l.CYCLE_STARTED
        AND c.CYCLE_STARTED >= DATEADD('day', -{{BASELINE_DAYS}}, k.AS_OF)
),
vanished AS (
    SELECT n.AGENT_DATABASE, n.AGENT_SCHEMA, n.AGENT_NAME, COUNT(*) AS COLUMNS_VANISHED,
           MIN(n.NAME || ' on ' || LOWER(n.SPAN_KIND) || ' spans') AS FIRST_VANISHED
    FROM newest AS n
    JOIN present AS p
        ON p.AGENT_DATABASE = n.AGENT_DATABASE AND p.AGENT_SCHEMA = n.AGENT_SCHEMA AND p.AGENT_NAME = n.AGENT_NAME
        AND p.SPAN_KIND = n.SPAN_KIND AND p.NAME = n.NAME
    WHERE n.SIGNAL = 'COVERAGE' AND n.SPANS > 0 AND n.MATCHING = 0
    GROUP BY 1, 2, 3
),
unknown AS (
    SELECT AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, SUM(MATCHING) / NULLIF(MAX(SPANS), 0) AS SHARE,
           MIN(NAME) AS FIRST_NAME
    FROM newest
    WHERE SIGNAL = 'UNKNOWN_SPAN_NAME'
    GROUP BY 1, 2, 3
),
volume AS (
    SELECT AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, MAX(SPANS) AS SPANS
    FROM newest
    GROUP BY 1, 2, 3
)
SELECT 'schema_drift' AS RULE_NAME, a.AGENT_DATABASE, a.AGENT_SCHEMA, a.AGENT_NAME,
       IFF(v.COLUMNS_VANISHED > 0, 1, COALESCE(u.SHARE, 0)) AS VALUE,
       w.SPANS AS VOLUME, NULL AS BASELINE,
       CASE
           WHEN v.COLUMNS_VANISHED > 0 THEN 'no span carries ' || v.FIRST_VANISHED
               || IFF(v.COLUMNS_VANISHED > 1, ' (and ' || CAST(v.COLUMNS_VANISHED - 1 AS VARCHAR) || ' more)', '')
           WHEN u.SHARE > 0 THEN 'unrecognised span names, e.g. ' || u.FIRST_NAME
       END AS DETAIL
FROM ({{> alerts/active_agents.sql}}) AS a
JOIN volume AS w
    ON w.AGENT_DATABASE = a.AGENT_DATABASE AND w.AGENT_SCHEMA = a.AGENT_SCHEMA AND w.AGENT_NAME = a.AGENT_NAME
LEFT JOIN vanished AS v
    ON v.AGENT_DATABASE = a.AGENT_DATABASE AND v.AGENT_SCHEMA = a.AGENT_SCHEMA AND v.AGENT_NAME = a.AGENT_NAME
LEFT JOIN unknown AS u
    ON u.AGENT_DATABASE = a.AGENT_DATABASE AND u.AGENT_SCHEMA = a.AGENT_SCHEMA AND u.AGENT_NAME = a.AGENT_NAME
