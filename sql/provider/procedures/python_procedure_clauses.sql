-- What every Wallmonitor procedure declares after its arguments. CREATE OR REPLACE is atomic (the
-- old procedure is replaced in the same transaction), so a task that calls the procedure while it
-- is updated never finds it missing; the Snowflake provider's ProcedurePython drops and recreates
-- instead. COPY GRANTS keeps any grant on it.
-- https://docs.snowflake.com/en/sql-reference/sql/create-procedure
-- The Python body follows AS as a dollar-quoted constant (provider/procedure.ts attaches it).
    COPY GRANTS
    RETURNS VARCHAR
    LANGUAGE PYTHON
    RUNTIME_VERSION = {{RUNTIME_VERSION}}
    PACKAGES = ({{PACKAGES}})
    HANDLER = {{HANDLER}}
    COMMENT = {{COMMENT}}
    EXECUTE AS OWNER
    AS
