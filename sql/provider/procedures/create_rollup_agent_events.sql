-- CREATE OR REPLACE is atomic (the old procedure is replaced in the same transaction), so a task
-- that calls the procedure while it is updated never finds it missing; the Snowflake provider's
-- ProcedurePython drops and recreates instead. COPY GRANTS keeps any grant on it.
-- https://docs.snowflake.com/en/sql-reference/sql/create-procedure
-- The argument types are the signature (provider/procedure.ts reads them from here): changing one
-- is another procedure, so the resource is replaced; a default or the body is updated in place.
-- The Python body follows AS as a dollar-quoted constant (provider/procedure.ts attaches it).
CREATE OR REPLACE PROCEDURE {{PROCEDURE}}(
    HISTORY_DAYS NUMBER DEFAULT {{HISTORY_DAYS}},
    ROLLUP_RETENTION_DAYS NUMBER DEFAULT {{ROLLUP_RETENTION_DAYS}}
)
    COPY GRANTS
    RETURNS VARCHAR
    LANGUAGE PYTHON
    RUNTIME_VERSION = {{RUNTIME_VERSION}}
    PACKAGES = ({{PACKAGES}})
    HANDLER = {{HANDLER}}
    COMMENT = {{COMMENT}}
    EXECUTE AS OWNER
    AS
