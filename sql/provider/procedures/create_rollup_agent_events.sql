-- The argument types are the signature (provider/procedure.ts reads them from here): changing one
-- is another procedure, so the resource is replaced; a default or the body is updated in place.
-- The clauses after the arguments, and why: python_procedure_clauses.sql.
CREATE OR REPLACE PROCEDURE {{PROCEDURE}}(
    HISTORY_DAYS NUMBER DEFAULT {{HISTORY_DAYS}},
    ROLLUP_RETENTION_DAYS NUMBER DEFAULT {{ROLLUP_RETENTION_DAYS}}
)
{{> provider/procedures/python_procedure_clauses.sql}}
