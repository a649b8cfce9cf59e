-- The argument types are the signature (provider/procedure.ts reads them from here): changing one
-- is another procedure, so the resource is replaced; a default or the body is updated in place.
-- The clauses after the arguments, and why: python_procedure_clauses.sql.
-- INGEST_PATH (auto | event_table | per_agent) has a default, so a two-argument CALL still works.
CREATE OR REPLACE PROCEDURE {{PROCEDURE}}(
    LOOKBACK_HOURS FLOAT DEFAULT {{LOOKBACK_HOURS}},
    HISTORY_DAYS NUMBER DEFAULT {{HISTORY_DAYS}},
    INGEST_PATH VARCHAR DEFAULT {{INGEST_PATH}}
)
{{> provider/procedures/python_procedure_clauses.sql}}
