-- The latency histogram's bucket of SPAN_DURATION_MS: 0 below 1 ms, else b >= 1 for
-- [R^(b-1), R^b) with R = {{LATENCY_BUCKET_RATIO}}. A bucket's representative value is its
-- geometric middle R^(b-0.5) (0 for bucket 0), within a factor sqrt(R) of every value in it.
IFF(SPAN_DURATION_MS < 1, 0, 1 + FLOOR(LN(SPAN_DURATION_MS) / LN({{LATENCY_BUCKET_RATIO}})))
