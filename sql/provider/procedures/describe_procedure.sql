-- Succeeds while the procedure with this signature exists; "does not exist" (002003) once it is gone.
-- https://docs.snowflake.com/en/sql-reference/sql/desc-procedure
DESCRIBE PROCEDURE {{PROCEDURE}}({{ARGUMENT_TYPES}})
