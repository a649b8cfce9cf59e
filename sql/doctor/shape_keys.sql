-- Per agent and span kind, how many sampled spans carry each attribute key.
SELECT s.AGENT, s.SPAN_KIND, f.KEY AS ATTRIBUTE_KEY, COUNT(*) AS SPANS
FROM (
    {{> doctor/shape_sample.sql}}
) AS s,
LATERAL FLATTEN(INPUT => s.RECORD_ATTRIBUTES) AS f
GROUP BY 1, 2, 3
