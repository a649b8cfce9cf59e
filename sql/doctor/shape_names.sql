-- Per agent and span kind, the sampled spans by name and object type.
SELECT s.AGENT, s.SPAN_KIND, s.SPAN_NAME, s.OBJECT_TYPE, COUNT(*) AS SPANS
FROM (
    {{> doctor/shape_sample.sql}}
) AS s
GROUP BY 1, 2, 3, 4
