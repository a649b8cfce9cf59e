-- Burn rates of each agent objective (SLO_AGENTS), at each evaluation time (CLOCK: AS_OF) over
-- each look-back window (BURN_WINDOWS: WINDOW_NAME, SECONDS); the including statement defines
-- the three. A window holds the production turns (AGENT_RUN root spans, evaluation runs left out)
-- ending in (AS_OF - SECONDS, AS_OF]. BAD: failed turns (availability), or turns taking
-- THRESHOLD_MS or longer (latency, over the turns with a duration). The burn rate is the bad
-- share over the share the objective allows, 1 - TARGET: at 1 the budget lasts exactly the
-- objective's window (https://sre.google/workbook/alerting-on-slos/). NULL without turns.
-- The including statement also defines READ_FROM (evaluation/production_history_from.sql): at the
-- latest the longest window's start, from constants and binds; production rows are read from
-- there, evaluation marks from TRACE_MARGIN_DAYS before it.
SELECT n.*, n.BAD_TURNS / NULLIF(n.TURNS, 0) / (1 - n.TARGET) AS BURN_RATE
FROM (
SELECT c.AS_OF, w.WINDOW_NAME, w.SECONDS, s.AGENT_DATABASE, s.AGENT_SCHEMA, s.AGENT_NAME, s.OBJECTIVE, s.TARGET,
       COUNT_IF(h.AGENT_NAME IS NOT NULL AND (s.OBJECTIVE = 'availability' OR h.SPAN_DURATION_MS IS NOT NULL)) AS TURNS,
       COUNT_IF((s.OBJECTIVE = 'availability' AND h.STATUS = 'ERROR')
                OR (s.OBJECTIVE = 'latency' AND h.SPAN_DURATION_MS >= s.THRESHOLD_MS)) AS BAD_TURNS
FROM CLOCK AS c
CROSS JOIN BURN_WINDOWS AS w
CROSS JOIN SLO_AGENTS AS s
LEFT JOIN (
    SELECT p.AGENT_DATABASE, p.AGENT_SCHEMA, p.AGENT_NAME, p.EVENT_TIMESTAMP, p.STATUS, p.SPAN_DURATION_MS
    FROM ({{> evaluation/production_history_from.sql}}) AS p
    WHERE p.SPAN_CATEGORY = 'AGENT_RUN'
      AND p.EVENT_TIMESTAMP > (SELECT DATEADD('second', -MAX(SECONDS), MIN(AS_OF)) FROM CLOCK, BURN_WINDOWS)
      AND p.EVENT_TIMESTAMP <= (SELECT MAX(AS_OF) FROM CLOCK)
) AS h
    ON h.AGENT_DATABASE = s.AGENT_DATABASE AND h.AGENT_SCHEMA = s.AGENT_SCHEMA AND h.AGENT_NAME = s.AGENT_NAME
   AND h.EVENT_TIMESTAMP > DATEADD('second', -w.SECONDS, c.AS_OF) AND h.EVENT_TIMESTAMP <= c.AS_OF
GROUP BY c.AS_OF, w.WINDOW_NAME, w.SECONDS, s.AGENT_DATABASE, s.AGENT_SCHEMA, s.AGENT_NAME, s.OBJECTIVE, s.TARGET
) AS n
