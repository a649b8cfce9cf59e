-- The comparison of two versions of an agent, with a verdict per metric: CTEs spliced into the
-- including statement's WITH list after its relations `turns` (versioned turns, turns.sql, already
-- cut to the statement's window) and `pairs` (AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME,
-- BASELINE_VERSION, CANDIDATE_VERSION); the result is `comparison`, one row per pair and metric.
-- The VERSION_COMPARISON view and the canary_worse alert rule both include it, so the page and the
-- alert share one definition.
--
-- The tests, as canary analysis (Kayenta's Mann-Whitney judge) does them:
--   error_rate, tool_error_rate, negative_feedback_rate: two-proportion z-test with the pooled rate,
--     z = (p2 - p1) / sqrt(p (1 - p) (1/n1 + 1/n2)).
--   latency (shown as p50 and p95) and tokens per turn: Mann-Whitney U with the normal approximation,
--     tie-aware average ranks and the tie-corrected variance
--     sigma^2 = n1 n2 / 12 * ((n + 1) - sum(t^3 - t) / (n (n - 1))), z = (U2 - n1 n2 / 2) / sigma,
--     where U2 = R2 - n2 (n2 + 1) / 2 is the candidate's U.
-- Every metric is worse when higher, so z > CRITICAL_Z is worse and z < -CRITICAL_Z better.
-- Confidence: the five tests are a family; Bonferroni splits FAMILY_CONFIDENCE's 1% among them, each
-- two-sided at alpha 0.002, so |z| > 3.0902 (the standard normal's 0.999 quantile). An identical
-- candidate is then called anything but "no difference" at most 1% of the time.
-- Minimum sample: MIN_TURNS turns per version (error rate, latency, tokens), MIN_TOOL_CALLS tool calls,
-- MIN_RATINGS rated turns (the rank test's normal approximation is close from about 20 per side);
-- and for a proportion at least MIN_EXPECTED_EVENTS expected events in the smaller sample under the
-- pooled rate (the normal approximation's usual condition), unless neither version had any. Below
-- that the verdict is "not enough data".
-- Overall: worse when any metric is worse; else not enough data when error rate or latency lacks
-- data; else better when any metric is better; else no difference.
verdict_settings AS (
    SELECT CAST(0.99 AS DOUBLE) AS FAMILY_CONFIDENCE, 5 AS TESTS, CAST(3.0902 AS DOUBLE) AS CRITICAL_Z,
           50 AS MIN_TURNS, 50 AS MIN_TOOL_CALLS, 30 AS MIN_RATINGS, 5 AS MIN_EXPECTED_EVENTS
),
arms AS (
    SELECT p.AGENT_DATABASE, p.AGENT_SCHEMA, p.AGENT_NAME, p.BASELINE_VERSION, p.CANDIDATE_VERSION,
           t.VERSION_NAME = p.CANDIDATE_VERSION AS IS_CANDIDATE,
           t.FAILED, t.LATENCY_MS, t.TOKENS, t.TOOL_CALLS, t.TOOL_ERRORS, t.RATED, t.NEGATIVE
    FROM pairs AS p
    JOIN turns AS t
        ON t.AGENT_DATABASE = p.AGENT_DATABASE AND t.AGENT_SCHEMA = p.AGENT_SCHEMA AND t.AGENT_NAME = p.AGENT_NAME
       AND t.VERSION_NAME IN (p.BASELINE_VERSION, p.CANDIDATE_VERSION)
    WHERE p.BASELINE_VERSION <> p.CANDIDATE_VERSION
),
arm_counts AS (
    SELECT p.AGENT_DATABASE, p.AGENT_SCHEMA, p.AGENT_NAME, p.BASELINE_VERSION, p.CANDIDATE_VERSION,
           SUM(IFF(a.IS_CANDIDATE = FALSE, 1, 0)) AS TURNS_1, SUM(IFF(a.IS_CANDIDATE, 1, 0)) AS TURNS_2,
           SUM(IFF(a.IS_CANDIDATE = FALSE AND a.FAILED, 1, 0)) AS FAILED_1, SUM(IFF(a.IS_CANDIDATE AND a.FAILED, 1, 0)) AS FAILED_2,
           SUM(IFF(a.IS_CANDIDATE = FALSE, a.TOOL_CALLS, 0)) AS TOOL_CALLS_1, SUM(IFF(a.IS_CANDIDATE, a.TOOL_CALLS, 0)) AS TOOL_CALLS_2,
           SUM(IFF(a.IS_CANDIDATE = FALSE, a.TOOL_ERRORS, 0)) AS TOOL_ERRORS_1, SUM(IFF(a.IS_CANDIDATE, a.TOOL_ERRORS, 0)) AS TOOL_ERRORS_2,
           SUM(IFF(a.IS_CANDIDATE = FALSE AND a.RATED, 1, 0)) AS RATED_1, SUM(IFF(a.IS_CANDIDATE AND a.RATED, 1, 0)) AS RATED_2,
           SUM(IFF(a.IS_CANDIDATE = FALSE AND a.NEGATIVE, 1, 0)) AS NEGATIVE_1, SUM(IFF(a.IS_CANDIDATE AND a.NEGATIVE, 1, 0)) AS NEGATIVE_2,
           SUM(IFF(a.IS_CANDIDATE = FALSE AND a.LATENCY_MS IS NOT NULL, 1, 0)) AS TIMED_1,
           SUM(IFF(a.IS_CANDIDATE AND a.LATENCY_MS IS NOT NULL, 1, 0)) AS TIMED_2,
           PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY IFF(a.IS_CANDIDATE = FALSE, a.LATENCY_MS, NULL)) AS P50_1,
           PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY IFF(a.IS_CANDIDATE, a.LATENCY_MS, NULL)) AS P50_2,
           PERCENTILE_CONT(0.95) WITHIN GROUP (ORDER BY IFF(a.IS_CANDIDATE = FALSE, a.LATENCY_MS, NULL)) AS P95_1,
           PERCENTILE_CONT(0.95) WITHIN GROUP (ORDER BY IFF(a.IS_CANDIDATE, a.LATENCY_MS, NULL)) AS P95_2,
           AVG(IFF(a.IS_CANDIDATE = FALSE, a.TOKENS, NULL)) AS TOKENS_1, AVG(IFF(a.IS_CANDIDATE, a.TOKENS, NULL)) AS TOKENS_2
    FROM pairs AS p
    LEFT JOIN arms AS a
        ON a.AGENT_DATABASE = p.AGENT_DATABASE AND a.AGENT_SCHEMA = p.AGENT_SCHEMA AND a.AGENT_NAME = p.AGENT_NAME
       AND a.BASELINE_VERSION = p.BASELINE_VERSION AND a.CANDIDATE_VERSION = p.CANDIDATE_VERSION
    WHERE p.BASELINE_VERSION <> p.CANDIDATE_VERSION
    GROUP BY p.AGENT_DATABASE, p.AGENT_SCHEMA, p.AGENT_NAME, p.BASELINE_VERSION, p.CANDIDATE_VERSION
),
proportions AS (
    SELECT c.AGENT_DATABASE, c.AGENT_SCHEMA, c.AGENT_NAME, c.BASELINE_VERSION, c.CANDIDATE_VERSION,
           'error_rate' AS METRIC, c.TURNS_1 AS N_1, c.TURNS_2 AS N_2, c.FAILED_1 AS X_1, c.FAILED_2 AS X_2, s.MIN_TURNS AS MIN_SAMPLE
    FROM arm_counts AS c CROSS JOIN verdict_settings AS s
    UNION ALL
    SELECT c.AGENT_DATABASE, c.AGENT_SCHEMA, c.AGENT_NAME, c.BASELINE_VERSION, c.CANDIDATE_VERSION,
           'tool_error_rate', c.TOOL_CALLS_1, c.TOOL_CALLS_2, c.TOOL_ERRORS_1, c.TOOL_ERRORS_2, s.MIN_TOOL_CALLS
    FROM arm_counts AS c CROSS JOIN verdict_settings AS s
    UNION ALL
    SELECT c.AGENT_DATABASE, c.AGENT_SCHEMA, c.AGENT_NAME, c.BASELINE_VERSION, c.CANDIDATE_VERSION,
           'negative_feedback_rate', c.RATED_1, c.RATED_2, c.NEGATIVE_1, c.NEGATIVE_2, s.MIN_RATINGS
    FROM arm_counts AS c CROSS JOIN verdict_settings AS s
),
proportion_tests AS (
    SELECT p.*,
           p.X_1 / NULLIF(CAST(p.N_1 AS DOUBLE), 0) AS VALUE_1,
           p.X_2 / NULLIF(CAST(p.N_2 AS DOUBLE), 0) AS VALUE_2,
           (p.X_1 + p.X_2) / NULLIF(CAST(p.N_1 + p.N_2 AS DOUBLE), 0) AS POOLED,
           p.N_1 >= p.MIN_SAMPLE AND p.N_2 >= p.MIN_SAMPLE
               AND (p.X_1 + p.X_2 = 0
                    OR LEAST(p.N_1, p.N_2) * (p.X_1 + p.X_2) / CAST(p.N_1 + p.N_2 AS DOUBLE) >= s.MIN_EXPECTED_EVENTS) AS ENOUGH,
           COALESCE((p.X_2 / NULLIF(CAST(p.N_2 AS DOUBLE), 0) - p.X_1 / NULLIF(CAST(p.N_1 AS DOUBLE), 0))
                    / NULLIF(SQRT((p.X_1 + p.X_2) / CAST(p.N_1 + p.N_2 AS DOUBLE)
                                  * (1 - (p.X_1 + p.X_2) / CAST(p.N_1 + p.N_2 AS DOUBLE))
                                  * (1 / CAST(p.N_1 AS DOUBLE) + 1 / CAST(p.N_2 AS DOUBLE))), 0), 0) AS Z
    FROM proportions AS p
    CROSS JOIN verdict_settings AS s
    WHERE p.N_1 > 0 AND p.N_2 > 0
),
rank_samples AS (
    SELECT a.AGENT_DATABASE, a.AGENT_SCHEMA, a.AGENT_NAME, a.BASELINE_VERSION, a.CANDIDATE_VERSION,
           'latency' AS TESTED, a.IS_CANDIDATE, CAST(a.LATENCY_MS AS DOUBLE) AS X
    FROM arms AS a WHERE a.LATENCY_MS IS NOT NULL
    UNION ALL
    SELECT a.AGENT_DATABASE, a.AGENT_SCHEMA, a.AGENT_NAME, a.BASELINE_VERSION, a.CANDIDATE_VERSION,
           'tokens', a.IS_CANDIDATE, CAST(a.TOKENS AS DOUBLE)
    FROM arms AS a WHERE a.TOKENS IS NOT NULL
),
ranked AS (
    -- Tied values share the average of the ranks they span: the lowest rank plus (ties - 1) / 2.
    SELECT r.*,
           RANK() OVER (PARTITION BY r.AGENT_DATABASE, r.AGENT_SCHEMA, r.AGENT_NAME, r.BASELINE_VERSION,
                                     r.CANDIDATE_VERSION, r.TESTED ORDER BY r.X)
               + (COUNT(*) OVER (PARTITION BY r.AGENT_DATABASE, r.AGENT_SCHEMA, r.AGENT_NAME, r.BASELINE_VERSION,
                                              r.CANDIDATE_VERSION, r.TESTED, r.X) - 1) / 2.0 AS AVERAGE_RANK,
           CAST(COUNT(*) OVER (PARTITION BY r.AGENT_DATABASE, r.AGENT_SCHEMA, r.AGENT_NAME, r.BASELINE_VERSION,
                                            r.CANDIDATE_VERSION, r.TESTED, r.X) AS DOUBLE) AS TIES
    FROM rank_samples AS r
),
rank_sums AS (
    -- Each row adds t^2 - 1 for its tie group of size t, so the sum over a group is t^3 - t.
    SELECT r.AGENT_DATABASE, r.AGENT_SCHEMA, r.AGENT_NAME, r.BASELINE_VERSION, r.CANDIDATE_VERSION, r.TESTED,
           CAST(SUM(IFF(r.IS_CANDIDATE = FALSE, 1, 0)) AS DOUBLE) AS N_1,
           CAST(SUM(IFF(r.IS_CANDIDATE, 1, 0)) AS DOUBLE) AS N_2,
           SUM(IFF(r.IS_CANDIDATE, r.AVERAGE_RANK, 0)) AS RANK_SUM_2,
           SUM(r.TIES * r.TIES - 1) AS TIE_TERM
    FROM ranked AS r
    GROUP BY r.AGENT_DATABASE, r.AGENT_SCHEMA, r.AGENT_NAME, r.BASELINE_VERSION, r.CANDIDATE_VERSION, r.TESTED
),
rank_tests AS (
    SELECT r.*,
           r.N_1 >= s.MIN_TURNS AND r.N_2 >= s.MIN_TURNS AS ENOUGH,
           COALESCE((r.RANK_SUM_2 - r.N_2 * (r.N_2 + 1) / 2 - r.N_1 * r.N_2 / 2)
                    / NULLIF(SQRT(r.N_1 * r.N_2 / 12
                                  * ((r.N_1 + r.N_2 + 1) - r.TIE_TERM / NULLIF((r.N_1 + r.N_2) * (r.N_1 + r.N_2 - 1), 0))), 0), 0) AS Z
    FROM rank_sums AS r
    CROSS JOIN verdict_settings AS s
),
metric_rows AS (
    SELECT p.AGENT_DATABASE, p.AGENT_SCHEMA, p.AGENT_NAME, p.BASELINE_VERSION, p.CANDIDATE_VERSION,
           p.METRIC, 'two-proportion z-test' AS TEST, p.N_1 AS BASELINE_SAMPLE, p.N_2 AS CANDIDATE_SAMPLE,
           p.VALUE_1 AS BASELINE_VALUE, p.VALUE_2 AS CANDIDATE_VALUE, p.Z, p.MIN_SAMPLE, p.ENOUGH
    FROM proportion_tests AS p
    UNION ALL
    SELECT r.AGENT_DATABASE, r.AGENT_SCHEMA, r.AGENT_NAME, r.BASELINE_VERSION, r.CANDIDATE_VERSION,
           m.METRIC, 'Mann-Whitney U (normal approximation, tie-corrected)', r.N_1, r.N_2,
           m.VALUE_1, m.VALUE_2, r.Z, s.MIN_TURNS, r.ENOUGH
    FROM rank_tests AS r
    CROSS JOIN verdict_settings AS s
    JOIN (
        SELECT c.AGENT_DATABASE, c.AGENT_SCHEMA, c.AGENT_NAME, c.BASELINE_VERSION, c.CANDIDATE_VERSION,
               'latency' AS TESTED, 'latency_p50_ms' AS METRIC, c.P50_1 AS VALUE_1, c.P50_2 AS VALUE_2
        FROM arm_counts AS c
        UNION ALL
        SELECT c.AGENT_DATABASE, c.AGENT_SCHEMA, c.AGENT_NAME, c.BASELINE_VERSION, c.CANDIDATE_VERSION,
               'latency', 'latency_p95_ms', c.P95_1, c.P95_2
        FROM arm_counts AS c
        UNION ALL
        SELECT c.AGENT_DATABASE, c.AGENT_SCHEMA, c.AGENT_NAME, c.BASELINE_VERSION, c.CANDIDATE_VERSION,
               'tokens', 'tokens_per_turn', c.TOKENS_1, c.TOKENS_2
        FROM arm_counts AS c
    ) AS m
        ON m.AGENT_DATABASE = r.AGENT_DATABASE AND m.AGENT_SCHEMA = r.AGENT_SCHEMA AND m.AGENT_NAME = r.AGENT_NAME
       AND m.BASELINE_VERSION = r.BASELINE_VERSION AND m.CANDIDATE_VERSION = r.CANDIDATE_VERSION AND m.TESTED = r.TESTED
    WHERE r.N_1 > 0 AND r.N_2 > 0
),
verdicts AS (
    SELECT m.*, s.CRITICAL_Z, s.FAMILY_CONFIDENCE,
           CASE WHEN NOT m.ENOUGH THEN 'not enough data'
                WHEN m.Z > s.CRITICAL_Z THEN 'worse'
                WHEN m.Z < -s.CRITICAL_Z THEN 'better'
                ELSE 'no difference' END AS VERDICT
    FROM metric_rows AS m
    CROSS JOIN verdict_settings AS s
),
metric_names AS (
    SELECT 'error_rate' AS METRIC, 1 AS METRIC_ORDER
    UNION ALL SELECT 'latency_p50_ms', 2
    UNION ALL SELECT 'latency_p95_ms', 3
    UNION ALL SELECT 'tokens_per_turn', 4
    UNION ALL SELECT 'tool_error_rate', 5
    UNION ALL SELECT 'negative_feedback_rate', 6
),
comparison AS (
    SELECT c.AGENT_DATABASE, c.AGENT_SCHEMA, c.AGENT_NAME, c.BASELINE_VERSION, c.CANDIDATE_VERSION,
           c.TURNS_1 AS BASELINE_TURNS, c.TURNS_2 AS CANDIDATE_TURNS,
           n.METRIC, n.METRIC_ORDER, v.TEST, COALESCE(v.BASELINE_SAMPLE, 0) AS BASELINE_SAMPLE,
           COALESCE(v.CANDIDATE_SAMPLE, 0) AS CANDIDATE_SAMPLE, v.BASELINE_VALUE, v.CANDIDATE_VALUE,
           v.Z AS Z_SCORE, s.CRITICAL_Z, s.FAMILY_CONFIDENCE, v.MIN_SAMPLE,
           COALESCE(v.VERDICT, 'not enough data') AS VERDICT,
           CASE WHEN SUM(IFF(v.VERDICT = 'worse', 1, 0)) OVER (PARTITION BY c.AGENT_DATABASE, c.AGENT_SCHEMA, c.AGENT_NAME,
                                                                c.BASELINE_VERSION, c.CANDIDATE_VERSION) > 0 THEN 'worse'
                WHEN SUM(IFF(n.METRIC IN ('error_rate', 'latency_p95_ms') AND v.VERDICT IN ('no difference', 'better'), 1, 0))
                         OVER (PARTITION BY c.AGENT_DATABASE, c.AGENT_SCHEMA, c.AGENT_NAME,
                               c.BASELINE_VERSION, c.CANDIDATE_VERSION) < 2 THEN 'not enough data'
                WHEN SUM(IFF(v.VERDICT = 'better', 1, 0)) OVER (PARTITION BY c.AGENT_DATABASE, c.AGENT_SCHEMA, c.AGENT_NAME,
                                                                 c.BASELINE_VERSION, c.CANDIDATE_VERSION) > 0 THEN 'better'
                ELSE 'no difference' END AS OVERALL_VERDICT
    FROM arm_counts AS c
    CROSS JOIN verdict_settings AS s
    CROSS JOIN metric_names AS n
    LEFT JOIN verdicts AS v
        ON v.AGENT_DATABASE = c.AGENT_DATABASE AND v.AGENT_SCHEMA = c.AGENT_SCHEMA AND v.AGENT_NAME = c.AGENT_NAME
       AND v.BASELINE_VERSION = c.BASELINE_VERSION AND v.CANDIDATE_VERSION = c.CANDIDATE_VERSION AND v.METRIC = n.METRIC
)
