-- Drops exactly this signature: another overload of the same name is another procedure.
-- https://docs.snowflake.com/en/sql-reference/sql/drop-procedure
DROP PROCEDURE IF EXISTS {{PROCEDURE}}({{ARGUMENT_TYPES}})
