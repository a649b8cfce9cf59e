import * as fs from "fs";
import * as path from "path";

import { RenderedSql } from "./sql";

/** The handler module of the ingestion procedures (see its docstring). */
export const INGESTION_HANDLER_FILE = path.resolve(__dirname, "..", "procedures", "ingestion.py");

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
