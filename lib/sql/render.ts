import * as fs from "fs";
import * as path from "path";

import { IDENTIFIER_PATTERN } from "./identifier";
import { expandIncludes, PLACEHOLDER, REF, SQL_ROOT } from "./template";

/**
 * Renders the SQL files in sql/. This is the only code that turns a template into SQL text.
 *
 * A template may contain `{{NAME}}` placeholders, `{{ref NAME}}` references to another model
 * (lib/sql/registry.ts), `{{bind name}}` bind markers, `{{> relative/file.sql}}` includes and
 * `{{expr NAME}}` expressions an including file defines (lib/sql/template.ts: SQL text of that
 * file, which is then rendered and bound like the rest). Only validated identifiers, finite numbers, booleans, NULL
 * and quote-free string literals (and comma-separated lists of identifiers and literals) can be
 * substituted, so no configured string can change a statement's meaning. A placeholder without a
 * value, or a value that no placeholder uses, is an error: both are typos that would otherwise deploy.
 *
 * Rendered or bound, the rule:
 * - Render (`{{NAME}}`) identifiers and deploy-time constants from validated config. They are
 *   fixed for a deployment, and Snowflake takes no bind for an identifier, nor in the commands and
 *   clauses its docs list (CREATE/ALTER INTEGRATION, PIPE, REPLICATION GROUP; CREDENTIALS,
 *   ENCRYPTION, IMPORTS, PACKAGES, TAG): https://docs.snowflake.com/en/sql-reference/bind-variables
 *   Everything Snowflake stores and re-runs later (a view, dynamic table, task body, procedure
 *   signature and its defaults) is rendered too, since no bind value exists when it runs.
 * - Bind (`{{bind name}}`) every value that varies per call at run time: agent names, read
 *   points, timestamps, messages and procedure arguments (a CALL may pass other values than the
 *   task does, so an argument is bound even when the task passes a configured constant).
 * - A secret is never rendered: it is bound, and only where the docs allow a bind
 *   (provider/bindHistory.ts).
 * A marker renders as `?` (qmark, as Snowpark's session.sql(query, params=[...]) and the
 * connectors bind), and RenderedSql.binds lists the names in the order of the `?`s, a name
 * used twice twice: the caller passes values by name and procedures/sql_binds.py orders them.
 * A bare `?` is refused, so every bound value is declared by name.
 */

export { SQL_ROOT };

export interface Identifier {
    readonly identifier: string;
}

/** A string constant from validated config (agent patterns); quotes and backslashes are refused. */
export interface Literal {
    readonly literal: string;
}

/** Identifiers or literals rendered comma-separated, for a list clause such as `API_ALLOWED_PREFIXES = ({{PREFIXES}})`. */
export interface SqlList {
    readonly list: readonly (Identifier | Literal)[];
}

/**
 * Rows of constants rendered as `(a, b), (c, d)`, for a `VALUES` list built from validated config
 * (a rate table); every row has the same number of cells.
 */
export interface SqlRows {
    readonly rows: readonly (readonly (Literal | number | null)[])[];
}

export type SqlValue = Identifier | Literal | SqlList | SqlRows | number | boolean | null;

/** A (possibly qualified) identifier whose every part is an unquoted UPPERCASE name. */
export function ident(...parts: string[]): Identifier {
    for (const part of parts) {
        if (!IDENTIFIER_PATTERN.test(part)) {
            throw new Error(`"${part}" is not an unquoted UPPERCASE Snowflake identifier`);
        }
    }
    return { identifier: parts.join(".") };
}

export interface RenderedSql {
    readonly text: string;
    /** The sql/ files this text came from, the template first, then its includes. */
    readonly files: readonly string[];
    /** The bind names of the text's `?`s, in order (see the rule above); empty when nothing is bound. */
    readonly binds: readonly string[];
    /** The models this text reads, by name, in the order first named (see RenderOptions.ref). */
    readonly refs: readonly string[];
}

const BIND = /\{\{\s*bind\s+([a-z][a-z0-9_]*)\s*\}\}/g;
/** Statements whose text Snowflake stores and runs later, or whose binds its docs refuse (see the rule above). */
const BIND_FREE_STATEMENT =
    /^\s*(?:CREATE|ALTER)\b[A-Z\s]*?\b(VIEW|DYNAMIC\s+TABLE|TASK|PROCEDURE|FUNCTION|ALERT|INTEGRATION|PIPE|REPLICATION\s+GROUP)\b/i;

/**
 * The one exception to "identifiers are rendered, never bound": the discovery procedure's commands
 * on one agent (SHOW VERSIONS IN AGENT, DESCRIBE AGENT), whose agent is whatever SHOW AGENTS listed at
 * run time, so no config can name it. Snowflake documents IDENTIFIER(?) for bound names
 * (https://docs.snowflake.com/en/sql-reference/identifier-literal); that these two commands accept it
 * is an open check (privileges/model.json).
 */
const RUNTIME_AGENT_COMMAND = /^\s*(?:SHOW\s+VERSIONS\s+IN\s+AGENT|DESC(?:RIBE)?\s+AGENT)\s+IDENTIFIER\s*\(\s*\{\{\s*bind\s+[a-z][a-z0-9_]*\s*\}\}\s*\)\s*$/i;

/** What a caller resolves a `{{ref NAME}}` to: the model it names and that model's qualified name. */
export interface ResolvedRef {
    readonly model: string;
    readonly identifier: Identifier;
}

export interface RenderOptions {
    /** The folder the template is read from (default sql/); includes are always read from sql/. */
    readonly root?: string;
    /** Resolves `{{ref NAME}}`; without it a template holding a ref is refused. */
    readonly ref?: (name: string) => ResolvedRef;
    /** Models read through placeholders the caller filled (a shared include's table parameter). */
    readonly valueRefs?: readonly string[];
}


/** A quoted SQL string constant; refuses quotes, backslashes and control characters. */
export function literal(value: string): Literal {
    if (/['\\\u0000-\u001f]/.test(value)) {
        throw new Error(`${JSON.stringify(value)} cannot be a SQL literal: it contains a quote, backslash or control character`);
    }
    return { literal: value };
}

function formatValue(name: string, value: SqlValue): string {
    if (value === null) {
        return "NULL";
    }
    if (typeof value === "number") {
        if (!Number.isFinite(value)) {
            throw new Error(`SQL value ${name} must be a finite number, got ${value}`);
        }
        return String(value);
    }
    if (typeof value === "boolean") {
        return value ? "TRUE" : "FALSE";
    }
    if ("rows" in value) {
        const width = value.rows[0]?.length ?? 0;
        if (width === 0 || value.rows.some((row) => row.length !== width)) {
            throw new Error(`SQL value ${name} must be one or more rows of the same, non-zero number of cells`);
        }
        return value.rows.map((row) => `(${row.map((cell) => formatValue(name, cell)).join(", ")})`).join(",\n    ");
    }
    if ("list" in value) {
        if (value.list.length === 0) {
            throw new Error(`SQL value ${name} is an empty list; a list clause needs at least one item`);
        }
        return value.list.map((item) => formatValue(name, item)).join(", ");
    }
    if ("literal" in value) {
        return `'${literal(value.literal).literal}'`;
    }
    return ident(...value.identifier.split(".")).identifier;
}

/** The template with its comments, quoted strings and identifiers and $$ constants blanked: what Snowflake parses as code. */
function codeOf(template: string): string {
    return template.replace(/--[^\n]*|\/\*[\s\S]*?\*\/|'(?:[^']|'')*'|"(?:[^"]|"")*"|\$\$[\s\S]*?\$\$/g, " ");
}

/** Replaces each `{{bind name}}` of an expanded template with `?`; returns the text and the names in order. */
export function renderBinds(file: string, template: string): { text: string; binds: string[] } {
    const code = codeOf(template);
    if (code.includes("?")) {
        throw new Error(`${file}: a bare ? binds a value no one named; write {{bind name}} so callers pass it by name`);
    }
    if (/\{\{\s*bind\b(?!\s+[a-z][a-z0-9_]*\s*\}\})/.test(code)) {
        throw new Error(`${file}: a bind is written {{bind name}}, its name in lower_snake_case`);
    }
    const binds = [...code.matchAll(BIND)].map((match) => match[1]);
    if (binds.length !== [...template.matchAll(BIND)].length) {
        throw new Error(`${file}: {{bind ...}} inside a comment or quoted text; a bind marker belongs in code only`);
    }
    if (binds.length > 0) {
        const statement = BIND_FREE_STATEMENT.exec(code);
        if (statement !== null) {
            throw new Error(`${file}: {{bind ${binds[0]}}} in a ${statement[1].replace(/\s+/g, " ").toUpperCase()} statement; ` +
                "render the value from config instead (https://docs.snowflake.com/en/sql-reference/bind-variables)");
        }
        if (/IDENTIFIER\s*\(\s*\{\{\s*bind\b/i.test(code) && !RUNTIME_AGENT_COMMAND.test(code)) {
            throw new Error(`${file}: an identifier is rendered from validated config, never bound: IDENTIFIER({{bind ...}})`);
        }
    }
    return { text: template.replace(BIND, "?"), binds };
}

/** Renders sql/<file> (or <options.root>/<file>) with the given values. */
export function renderSql(file: string, values: Readonly<Record<string, SqlValue>>, options: RenderOptions = {}): RenderedSql {
    const files: string[] = [];
    const { text: template, binds } = renderBinds(file, expandIncludes(file, options.root ?? SQL_ROOT, [], files));
    const refs: string[] = [...(options.valueRefs ?? [])];
    const referenced = template.replace(REF, (_match, name: string) => {
        if (options.ref === undefined) {
            throw new Error(`${file}: {{ref ${name}}} needs a model registry to resolve it (lib/sql/registry.ts)`);
        }
        const resolved = options.ref(name);
        if (!refs.includes(resolved.model)) {
            refs.push(resolved.model);
        }
        return formatValue(name, resolved.identifier);
    });
    const used = new Set<string>();
    const text = referenced.replace(PLACEHOLDER, (_match, name: string) => {
        const value = values[name];
        if (value === undefined) {
            throw new Error(`${file}: no value for placeholder {{${name}}}`);
        }
        used.add(name);
        return formatValue(name, value);
    });
    const unused = Object.keys(values).filter((name) => !used.has(name));
    if (unused.length > 0) {
        throw new Error(`${file}: values given but never used: ${unused.join(", ")}`);
    }
    if (/\{\{|\}\}/.test(text)) {
        throw new Error(`${file}: malformed placeholder left after rendering`);
    }
    return { text: text.trim(), files, binds, refs };
}

/** Every .sql file under sql/, relative to it; used to prove each one is deployed and tested. */
export function listSqlFiles(dir: string = SQL_ROOT): string[] {
    return fs.readdirSync(dir, { withFileTypes: true })
        .flatMap((entry) => {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) {
                return listSqlFiles(full);
            }
            return entry.name.endsWith(".sql") ? [path.relative(SQL_ROOT, full).split(path.sep).join("/")] : [];
        })
        .sort();
}

/** The table shape both the storage component and the emulator build from (see lib/tables.ts). */
export interface TableShape {
    readonly name: string;
    readonly columns: readonly {
        name: string; type: string; nullable?: boolean; defaultConstant?: string; defaultExpression?: string;
    }[];
}

const COLUMN_TYPE = /^[A-Z_]+(\(\d+(,\d+)?\))?$/;
/** Text types, which the Snowflake provider quotes a constant default for (its datatypes.IsTextDataType). */
const TEXT_TYPE = /^(VARCHAR|CHAR|CHARACTER|STRING|TEXT|NCHAR|NVARCHAR|NVARCHAR2)\b/;
const NON_TEXT_CONSTANT = /^(TRUE|FALSE|-?\d+(\.\d+)?)$/;
const TEXT_CONSTANT = /^[^'\\]+$/;
const DEFAULT_EXPRESSION = /^SYSDATE\(\)$/;

/**
 * The DEFAULT clause the Snowflake provider sends for a column: a constant quoted for a text
 * column and as is otherwise, an expression as is (terraform-provider-snowflake
 * pkg/resources/table.go getTableColumnRequest). Only the defaults Wallmonitor uses are accepted.
 */
export function columnDefaultClause(table: string, column: TableShape["columns"][number]): string | undefined {
    const where = `${table}.${column.name}`;
    if (column.defaultConstant !== undefined && column.defaultExpression !== undefined) {
        throw new Error(`${where}: a default is either a constant or an expression, not both`);
    }
    if (column.defaultConstant !== undefined) {
        const text = TEXT_TYPE.test(column.type);
        if (!(text ? TEXT_CONSTANT : NON_TEXT_CONSTANT).test(column.defaultConstant)) {
            throw new Error(`${where}: unsupported constant default "${column.defaultConstant}" for ${column.type}` +
                (text ? " (give a text constant unquoted; the provider quotes it)" : ""));
        }
        return text ? `'${column.defaultConstant}'` : column.defaultConstant;
    }
    if (column.defaultExpression !== undefined) {
        if (!DEFAULT_EXPRESSION.test(column.defaultExpression)) {
            throw new Error(`${where}: unsupported default expression "${column.defaultExpression}"; a literal is a defaultConstant`);
        }
        return column.defaultExpression;
    }
    return undefined;
}

/**
 * `CREATE TABLE IF NOT EXISTS` for a table definition. Pulumi creates the real tables from the
 * same definitions; this statement is what the emulator tests run. Like the table the Snowflake
 * provider creates, it has no primary key (see lib/tables.ts naturalKeyNotCreated).
 */
export function createTableStatement(database: string, schema: string, table: TableShape): string {
    const columns = table.columns.map((column) => {
        ident(column.name);
        if (!COLUMN_TYPE.test(column.type)) {
            throw new Error(`${table.name}.${column.name}: unexpected column type "${column.type}"`);
        }
        const parts = [column.name, column.type];
        if (column.nullable === false) {
            parts.push("NOT NULL");
        }
        const defaultClause = columnDefaultClause(table.name, column);
        if (defaultClause !== undefined) {
            parts.push("DEFAULT", defaultClause);
        }
        return `    ${parts.join(" ")}`;
    });
    const name = ident(database, schema, table.name).identifier;
    return `CREATE TABLE IF NOT EXISTS ${name} (\n${columns.join(",\n")}\n)`;
}
