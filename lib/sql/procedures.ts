import * as path from "path";

import { ROLLUP_STEP_STATEMENTS } from "./catalog";
import { embeddedHandler, procedureEmbedding, ProcedureEmbedding } from "./embedding";
import { literal, RenderedSql, SqlValue } from "./render";

/** The handler module of the ingestion procedures (see its docstring). */
export const INGESTION_HANDLER_FILE = path.resolve(__dirname, "..", "..", "procedures", "ingestion.py");

/** Snowpark runtime of the procedures; both are versions Snowflake's Anaconda channel serves. */
export const PYTHON_RUNTIME = "3.11";
export const SNOWPARK_VERSION = "1.26.0";

/**
 * The placeholders every sql/provider/procedures/create_*.sql shares: runtime, packages (Snowpark
 * pinned, as `name==version`), handler function and comment. Literals, never binds: Snowflake
 * refuses binds in PACKAGES (https://docs.snowflake.com/en/sql-reference/bind-variables).
 */
export function pythonProcedureValues(handler: string, comment: string): Record<string, SqlValue> {
    return {
        RUNTIME_VERSION: literal(PYTHON_RUNTIME),
        PACKAGES: { list: [literal(`snowflake-snowpark-python==${SNOWPARK_VERSION}`)] },
        HANDLER: literal(handler),
        COMMENT: literal(comment),
    };
}

/** What the ingestion procedures embed: the stack's statements, their binds, and the rollup steps' statements. */
export function ingestionEmbedding(statements: Readonly<Record<string, RenderedSql>>): ProcedureEmbedding {
    return procedureEmbedding(statements, { rollupSteps: ROLLUP_STEP_STATEMENTS });
}

/**
 * The deployed body of an ingestion procedure: the handler module followed by the lines that
 * fill its STATEMENTS, BINDS and NAMES with ingestionEmbedding. Each is embedded as a JSON string,
 * which is also a valid Python string literal.
 */
export function ingestionProcedureDefinition(statements: Readonly<Record<string, RenderedSql>>): string {
    return embeddedHandler(INGESTION_HANDLER_FILE, ingestionEmbedding(statements), (value) => JSON.stringify(JSON.stringify(value)));
}
