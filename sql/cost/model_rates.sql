-- The credit rate table in force (lib/costConfig.ts): credits per million tokens of each token
-- class, by model, from Wallmonitor's defaults (RATE_SOURCE DEFAULT) or wallmonitor:costModelRates
-- (CONFIG). Rendered from validated config; change it with `pulumi config set` and `pulumi up`.
SELECT
    r.MODEL_NAME::STRING AS MODEL_NAME,
    r.INPUT_RATE::NUMBER(18, 6) AS INPUT_RATE,
    r.OUTPUT_RATE::NUMBER(18, 6) AS OUTPUT_RATE,
    r.CACHE_READ_RATE::NUMBER(18, 6) AS CACHE_READ_RATE,
    r.CACHE_WRITE_RATE::NUMBER(18, 6) AS CACHE_WRITE_RATE,
    r.RATE_SOURCE::STRING AS RATE_SOURCE
FROM (VALUES
    {{RATES}}
) AS r (MODEL_NAME, INPUT_RATE, OUTPUT_RATE, CACHE_READ_RATE, CACHE_WRITE_RATE, RATE_SOURCE)
