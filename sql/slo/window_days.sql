-- Each agent objective's turns and good turns per UTC day of its window as of CLOCK.AS_OF (the
-- including statement defines CLOCK and SLO_AGENTS): the WINDOW_DAYS - 1 whole days before today
-- from the daily rollups, which outlive raw history (historyDays), and today up to AS_OF from
-- production history. Evaluation runs never count: the rollups and production_history_from.sql
-- leave them out (the including statement defines READ_FROM, at the latest today's start). A day
-- the rollup has not reached yet (the last one, shortly after midnight) counts as far as the
-- rollup has.
-- Latency from the rollups comes from the log-bucket histogram (R = {{LATENCY_BUCKET_RATIO}}): a
-- bucket [R^(b-1), R^b) wholly under THRESHOLD_MS is good, one wholly at or above it is bad, and of
-- the one bucket the threshold falls inside the share under it is interpolated log-linearly
-- (LN(THRESHOLD_MS) / LN(R) - (b - 1)), so GOOD_TURNS may be fractional; it is off by less than
-- that one bucket's turns. Bucket 0 (under 1 ms) is always good (THRESHOLD_MS >= 1). Today's
-- turns, read raw, are exact: a turn is good when SPAN_DURATION_MS < THRESHOLD_MS.
SELECT s.AGENT_DATABASE, s.AGENT_SCHEMA, s.AGENT_NAME, s.OBJECTIVE, d.DAY, d.SOURCE, d.TURNS, d.GOOD_TURNS
FROM SLO_AGENTS AS s
CROSS JOIN CLOCK AS c
INNER JOIN (
    SELECT 'availability' AS OBJECTIVE, r.AGENT_DATABASE, r.AGENT_SCHEMA, r.AGENT_NAME, r.DAY,
           'rollup' AS SOURCE, r.TURNS AS TURNS, (r.TURNS - r.FAILED_TURNS) AS GOOD_TURNS
    FROM {{ROLLUP_TABLE}} AS r
    WHERE r.DAY >= (SELECT DATEADD('day', -MAX(o.WINDOW_DAYS), TO_DATE(MIN(k.AS_OF))) FROM SLO_AGENTS AS o, CLOCK AS k)
    UNION ALL
    SELECT 'latency', b.AGENT_DATABASE, b.AGENT_SCHEMA, b.AGENT_NAME, b.DAY, 'rollup',
           SUM(b.TURNS),
           SUM(b.TURNS * IFF(b.BUCKET = 0, 1,
                             GREATEST(0, LEAST(1, LN(l.THRESHOLD_MS) / LN({{LATENCY_BUCKET_RATIO}}) - (b.BUCKET - 1)))))
    FROM {{LATENCY_TABLE}} AS b
    INNER JOIN (SELECT DISTINCT AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, THRESHOLD_MS
                FROM SLO_AGENTS WHERE OBJECTIVE = 'latency') AS l
        ON l.AGENT_DATABASE = b.AGENT_DATABASE AND l.AGENT_SCHEMA = b.AGENT_SCHEMA AND l.AGENT_NAME = b.AGENT_NAME
    WHERE b.DAY >= (SELECT DATEADD('day', -MAX(o.WINDOW_DAYS), TO_DATE(MIN(k.AS_OF))) FROM SLO_AGENTS AS o, CLOCK AS k)
    GROUP BY l.THRESHOLD_MS, b.AGENT_DATABASE, b.AGENT_SCHEMA, b.AGENT_NAME, b.DAY
) AS d
    ON d.AGENT_DATABASE = s.AGENT_DATABASE AND d.AGENT_SCHEMA = s.AGENT_SCHEMA AND d.AGENT_NAME = s.AGENT_NAME
   AND d.OBJECTIVE = s.OBJECTIVE
   AND d.DAY >= DATEADD('day', 1 - s.WINDOW_DAYS, TO_DATE(c.AS_OF)) AND d.DAY < TO_DATE(c.AS_OF)
UNION ALL
SELECT s.AGENT_DATABASE, s.AGENT_SCHEMA, s.AGENT_NAME, s.OBJECTIVE, TO_DATE(c.AS_OF) AS DAY, 'history' AS SOURCE,
       COUNT_IF(s.OBJECTIVE = 'availability' OR h.SPAN_DURATION_MS IS NOT NULL) AS TURNS,
       COUNT_IF((s.OBJECTIVE = 'availability' AND h.STATUS IS DISTINCT FROM 'ERROR')
                OR (s.OBJECTIVE = 'latency' AND h.SPAN_DURATION_MS < s.THRESHOLD_MS)) AS GOOD_TURNS
FROM SLO_AGENTS AS s
CROSS JOIN CLOCK AS c
INNER JOIN (
    SELECT p.AGENT_DATABASE, p.AGENT_SCHEMA, p.AGENT_NAME, p.EVENT_TIMESTAMP, p.STATUS, p.SPAN_DURATION_MS
    FROM ({{> evaluation/production_history_from.sql}}) AS p
    WHERE p.SPAN_CATEGORY = 'AGENT_RUN'
      AND p.EVENT_TIMESTAMP >= (SELECT TO_DATE(MIN(AS_OF)) FROM CLOCK)
) AS h
    ON h.AGENT_DATABASE = s.AGENT_DATABASE AND h.AGENT_SCHEMA = s.AGENT_SCHEMA AND h.AGENT_NAME = s.AGENT_NAME
   AND h.EVENT_TIMESTAMP >= TO_DATE(c.AS_OF) AND h.EVENT_TIMESTAMP <= c.AS_OF
GROUP BY s.AGENT_DATABASE, s.AGENT_SCHEMA, s.AGENT_NAME, s.OBJECTIVE, TO_DATE(c.AS_OF)
