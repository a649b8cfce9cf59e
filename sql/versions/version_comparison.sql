-- Every two versions of an agent with turns in the last {{HISTORY_DAYS}} days, compared metric by
-- metric with a verdict (versions/compare.sql: the tests, confidence, minimum samples and the overall
-- rule are stated there). Both orders of a pair are rows, so the page picks any baseline and candidate
-- with binds alone. IS_DEFAULT_PAIR marks the pair the page opens with and the canary_worse rule
-- judges: CANARY against PRODUCTION, else newest against previous (versions/default_pairs.sql).
-- Cost: the comparison reports tokens per turn; credits per request come from ACCOUNT_USAGE hours
-- later and through the cost area (owner-only, deployed when cost is enabled), so they are not compared.
{{expr READ_FROM = DATEADD('hour', -1, DATEADD('day', -{{HISTORY_DAYS}}, SYSDATE()))}}
WITH turn_window AS (SELECT DATEADD('day', -{{HISTORY_DAYS}}, SYSDATE()) AS FROM_TS, SYSDATE() AS TO_TS),
turns AS (
    SELECT t.* FROM ({{> versions/turns.sql}}) AS t WHERE t.VERSION_NAME IS NOT NULL
),
default_pairs AS (
    {{> versions/default_pairs.sql}}
),
versions_seen AS (
    SELECT DISTINCT t.AGENT_DATABASE, t.AGENT_SCHEMA, t.AGENT_NAME, t.VERSION_NAME FROM turns AS t
),
pairs AS (
    SELECT b.AGENT_DATABASE, b.AGENT_SCHEMA, b.AGENT_NAME, b.VERSION_NAME AS BASELINE_VERSION, c.VERSION_NAME AS CANDIDATE_VERSION
    FROM versions_seen AS b
    JOIN versions_seen AS c
        ON c.AGENT_DATABASE = b.AGENT_DATABASE AND c.AGENT_SCHEMA = b.AGENT_SCHEMA AND c.AGENT_NAME = b.AGENT_NAME
       AND c.VERSION_NAME <> b.VERSION_NAME
    UNION
    -- A default pair whose candidate has no turns yet is still shown, as not enough data.
    SELECT d.AGENT_DATABASE, d.AGENT_SCHEMA, d.AGENT_NAME, d.BASELINE_VERSION, d.CANDIDATE_VERSION
    FROM default_pairs AS d
    WHERE d.CANDIDATE_VERSION IS NOT NULL
),
{{> versions/compare.sql}}
SELECT
    c.AGENT_DATABASE, c.AGENT_SCHEMA, c.AGENT_NAME,
    c.AGENT_DATABASE || '.' || c.AGENT_SCHEMA || '.' || c.AGENT_NAME AS AGENT_FULL_NAME,
    c.BASELINE_VERSION, c.CANDIDATE_VERSION,
    d.AGENT_NAME IS NOT NULL AS IS_DEFAULT_PAIR,
    d.PAIR_BASIS,
    c.BASELINE_TURNS, c.CANDIDATE_TURNS,
    c.METRIC, c.METRIC_ORDER, c.TEST, c.BASELINE_SAMPLE, c.CANDIDATE_SAMPLE, c.BASELINE_VALUE, c.CANDIDATE_VALUE,
    c.Z_SCORE, c.CRITICAL_Z, c.FAMILY_CONFIDENCE, c.MIN_SAMPLE, c.VERDICT, c.OVERALL_VERDICT,
    w.FROM_TS AS WINDOW_START, w.TO_TS AS WINDOW_END
FROM comparison AS c
CROSS JOIN turn_window AS w
LEFT JOIN default_pairs AS d
    ON d.AGENT_DATABASE = c.AGENT_DATABASE AND d.AGENT_SCHEMA = c.AGENT_SCHEMA AND d.AGENT_NAME = c.AGENT_NAME
   AND d.BASELINE_VERSION = c.BASELINE_VERSION AND d.CANDIDATE_VERSION = c.CANDIDATE_VERSION
