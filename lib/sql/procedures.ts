import * as fs from "fs";
import * as path from "path";

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

/**
 * The deployed body of an ingestion procedure: the handler module followed by one line that
 * fills its STATEMENTS map with the stack's rendered SQL. The map is embedded as a JSON string,
 * which is also a valid Python string literal.
 */
export function ingestionProcedureDefinition(statements: Readonly<Record<string, RenderedSql>>): string {
    const texts = Object.fromEntries(Object.entries(statements).map(([key, sql]) => [key, sql.text]));
    const handler = fs.readFileSync(INGESTION_HANDLER_FILE, "utf8").trimEnd();
    return `${handler}\n\n\nimport json as _json\nSTATEMENTS.update(_json.loads(${JSON.stringify(JSON.stringify(texts))}))\n`;
}
