import * as fs from "fs";
import * as path from "path";

import { RenderedSql } from "./render";

/**
 * What a Python procedure body embeds next to its handler, generated from the rendered catalog
 * rather than copied into Python: each statement's text, its bind names in order
 * (RenderedSql.binds), and groups of statement names the handler iterates (the rollup steps, the
 * alert rules). procedures/sql_binds.py reads it; the emulator tests pass the handlers the same
 * object (scripts/render-sql.ts writes it out).
 */
export interface ProcedureEmbedding {
    readonly statements: Readonly<Record<string, string>>;
    readonly binds: Readonly<Record<string, readonly string[]>>;
    /** Statement names by role; every string in it names an embedded statement. */
    readonly names: Readonly<Record<string, unknown>>;
}

export const SQL_BINDS_MODULE_FILE = path.resolve(__dirname, "..", "..", "procedures", "sql_binds.py");
/** The line of a handler module that the body replaces with procedures/sql_binds.py itself. */
const SQL_BINDS_IMPORT = /^from sql_binds import [A-Za-z_, ]+$/gm;

function statementNamesIn(value: unknown): string[] {
    if (typeof value === "string") {
        return [value];
    }
    if (Array.isArray(value)) {
        return value.flatMap(statementNamesIn);
    }
    return value !== null && typeof value === "object" ? Object.values(value).flatMap(statementNamesIn) : [];
}

export function procedureEmbedding(statements: Readonly<Record<string, RenderedSql>>,
                                   names: Readonly<Record<string, unknown>>): ProcedureEmbedding {
    const unknown = statementNamesIn(names).filter((name) => !(name in statements));
    if (unknown.length > 0) {
        throw new Error(`statement names ${unknown.join(", ")} are grouped for the handler but not rendered`);
    }
    return {
        statements: Object.fromEntries(Object.entries(statements).map(([name, sql]) => [name, sql.text])),
        binds: Object.fromEntries(Object.entries(statements).map(([name, sql]) => [name, sql.binds])),
        names,
    };
}

/**
 * A handler module as one deployable module: procedures/sql_binds.py in place of its import
 * line (a procedure body without IMPORTS is a single file), then the lines that fill its
 * STATEMENTS, BINDS and NAMES. `jsonLiteral` writes a value as a Python string literal of its JSON.
 */
export function embeddedHandler(handlerFile: string, embedding: ProcedureEmbedding,
                                jsonLiteral: (value: unknown) => string): string {
    const handler = fs.readFileSync(handlerFile, "utf8").trimEnd();
    const imports = handler.match(SQL_BINDS_IMPORT) ?? [];
    if (imports.length !== 1) {
        throw new Error(`${path.basename(handlerFile)} must import sql_binds on exactly one line (found ${imports.length})`);
    }
    const helper = fs.readFileSync(SQL_BINDS_MODULE_FILE, "utf8").trimEnd();
    return `${handler.replace(SQL_BINDS_IMPORT, () => helper)}\n\n\nimport json as _json\n` +
        `STATEMENTS.update(_json.loads(${jsonLiteral(embedding.statements)}))\n` +
        `BINDS.update(_json.loads(${jsonLiteral(embedding.binds)}))\n` +
        `NAMES.update(_json.loads(${jsonLiteral(embedding.names)}))\n`;
}
