-- Per agent, the live-shape signals of the newest ingestion cycle that loaded its spans
-- (sql/ingestion/record_shape_coverage.sql): the share of spans of each kind carrying each
-- relied-on column, and the share of its spans with names ingestion does not recognise.
SELECT c.AGENT_DATABASE || '.' || c.AGENT_SCHEMA || '.' || c.AGENT_NAME AS AGENT_FULL_NAME,
       c.AGENT_DATABASE, c.AGENT_SCHEMA, c.AGENT_NAME, c.CYCLE_STARTED, c.SIGNAL, c.SPAN_KIND, c.NAME,
       c.SPANS, c.MATCHING, c.MATCHING / NULLIF(c.SPANS, 0) AS SHARE
FROM {{ref AGENT_SHAPE_COVERAGE}} AS c
JOIN (
    SELECT AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, MAX(CYCLE_STARTED) AS CYCLE_STARTED
    FROM {{ref AGENT_SHAPE_COVERAGE}}
    GROUP BY 1, 2, 3
) AS latest
    ON latest.AGENT_DATABASE = c.AGENT_DATABASE AND latest.AGENT_SCHEMA = c.AGENT_SCHEMA
    AND latest.AGENT_NAME = c.AGENT_NAME AND latest.CYCLE_STARTED = c.CYCLE_STARTED
