-- The form HLL_EXPORT gives a state of ROW_COUNT distinct values: SPARSE (a "sparse" object of
-- "indices" and "maxLzCounts") or DENSE (a "dense" array of every register), and how many of the
-- 4096 registers are set
-- (https://docs.snowflake.com/en/sql-reference/functions/hll_export,
-- https://docs.snowflake.com/en/user-guide/querying-approximate-cardinality). Where Snowflake
-- switches is not documented ("whenever beneficial"); the emulator assumes a register count.
-- A sparse state has no "dense" array: it flattens one unset register instead, so it keeps its row.
SELECT {{ROW_COUNT}} AS ROW_COUNT,
       MAX(IFF(s.STATE:sparse IS NULL, 'DENSE', 'SPARSE')) AS FORM,
       COALESCE(MAX(ARRAY_SIZE(s.STATE:sparse:indices)), COUNT_IF(d.VALUE::INTEGER > 0)) AS REGISTERS_SET
FROM (
    SELECT HLL_EXPORT(HLL_ACCUMULATE(SEQ8())) AS STATE
    FROM TABLE(GENERATOR(ROWCOUNT => {{ROW_COUNT}}))
) AS s,
LATERAL FLATTEN(INPUT => COALESCE(s.STATE:dense, ARRAY_CONSTRUCT(0))) AS d
