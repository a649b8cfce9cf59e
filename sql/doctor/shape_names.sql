-- Per agent and span kind, the sampled spans by name, object type and evaluation marks.
SELECT s.AGENT, s.SPAN_KIND, s.SPAN_NAME, s.OBJECT_TYPE, s.SPAN_TYPE, s.HAS_RUN_NAME, COUNT(*) AS SPANS
FROM (
    {{> doctor/shape_sample.sql}}
) AS s
GROUP BY 1, 2, 3, 4, 5, 6
