import { code, isDynamic, isSecret, isSnowflake, isUnknown, nameParts, PolicyContext, PolicySubject, statementsOf, unwrap } from "./subject";

/**
 * What a share carries out of the account is decided by the defining statement of each view it
 * grants: a secure view in the share schema (ORG_SHARE_SCHEMA) named like the registry model it
 * shares may read that model's table, because only the columns it lists leave the account.
 * Granting SELECT on a view to a share adds that view, and only a secure one, to the share:
 * https://docs.snowflake.com/en/sql-reference/sql/grant-privilege-share
 * and a consumer sees a secure view's rows, never its definition or what it reads:
 * https://docs.snowflake.com/en/user-guide/views-secure
 * So the policy judges the statement, not the name: explicitly listed columns, each one the
 * registry lets the share carry for that model, no `*`, and no conversation_text or
 * user_free_text column read anywhere in it.
 */

/** Columns a share view adds to the model's own: the account its rows come from (sql/org/source_rows*.sql). */
export const SHARE_TAG_COLUMNS: readonly string[] = ["SOURCE_ACCOUNT"];

const IDENTIFIER = `(?:"(?:[^"]|"")*"|[A-Z_][A-Z0-9_$]*)`;
const QUALIFIED = `${IDENTIFIER}(?:\\s*\\.\\s*${IDENTIFIER})*`;
/** `CREATE [OR REPLACE] [SECURE] [RECURSIVE] VIEW [IF NOT EXISTS] <name> <options, column list> AS <query>`. */
const CREATE_VIEW = new RegExp(`\\bCREATE\\s+(?:OR\\s+REPLACE\\s+)?(?:SECURE\\s+)?(?:RECURSIVE\\s+)?VIEW\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?` +
    `(${QUALIFIED})([\\s\\S]*?)\\bAS\\s+((?:WITH|SELECT)\\b[\\s\\S]*)$`, "i");
/** A select item that is every column: `*`, `T.*`, after SELECT [DISTINCT|ALL] or a comma. */
const STAR_ITEM = new RegExp(`(?:\\bSELECT\\s+(?:DISTINCT\\s+|ALL\\s+)?|,\\s*)(?:${IDENTIFIER}\\s*\\.\\s*)*\\*`, "i");

/** The statement with string literals emptied and comments removed, so neither a literal nor a comment counts as a column. */
function masked(sql: string): string {
    return sql.replace(/'(?:[^'\\]|''|\\.)*'|--[^\n]*|\/\*[\s\S]*?\*\//g, (token) => (token.startsWith("'") ? "''" : " "))
        .replace(/\s+/g, " ").trim();
}

/** The items of the outermost SELECT list (the view's columns), or undefined when the statement has none. */
function selectItems(sql: string): string[] | undefined {
    let depth = 0;
    let start = -1;
    const items: string[] = [];
    for (let at = 0; at < sql.length; at++) {
        const char = sql[at];
        if (char === '"') {
            const end = sql.indexOf('"', at + 1);
            at = end < 0 ? sql.length : end;
        } else if (char === "(") {
            depth++;
        } else if (char === ")") {
            depth--;
        } else if (depth === 0 && char === "," && start >= 0) {
            items.push(sql.slice(start, at));
            start = at + 1;
        } else if (/[A-Z_]/i.test(char) && (at === 0 || !/[A-Z0-9_$."]/i.test(sql[at - 1]))) {
            const word = /^[A-Z_][A-Z0-9_$]*/i.exec(sql.slice(at))![0];
            if (depth === 0 && start < 0 && /^SELECT$/i.test(word)) {
                start = at + word.length;
            } else if (depth === 0 && start >= 0 && /^FROM$/i.test(word)) {
                return withoutQuantifier([...items, sql.slice(start, at)]);
            }
            at += word.length - 1;
        }
    }
    return start < 0 ? undefined : withoutQuantifier([...items, sql.slice(start)]);
}

const withoutQuantifier = (items: string[]) => items.map((item, index) => (index === 0 ? item.replace(/^\s*(DISTINCT|ALL)\s+/i, "") : item).trim());

/** A select item's output name: its alias, or the column it names; undefined for an expression without AS. */
function outputName(item: string): string | undefined {
    const alias = new RegExp(`\\bAS\\s+(${IDENTIFIER})$`, "i").exec(item)?.[1];
    if (alias !== undefined) {
        return nameParts(alias).pop();
    }
    return new RegExp(`^${QUALIFIED}$`, "i").test(item) ? nameParts(item).pop() : undefined;
}

/** The names of a view's explicit column list (`CREATE VIEW V (A, B COMMENT '...') AS ...`), if it has one. */
function columnList(options: string): string[] | undefined {
    const list = /\(([^()]*)\)/.exec(masked(options))?.[1];
    return list === undefined ? undefined : list.split(",").map((column) => nameParts(column.trim().split(/\s+/)[0] ?? "").pop() ?? "");
}

/**
 * Why the share view `view` (qualified, for the message) must not leave the account as defined by
 * `statement` (its query), or nothing. `renamed`: the names of an explicit column list, which
 * replace the select list's names.
 */
export function shareViewProblems(view: string, statement: string, context: PolicyContext, renamed?: readonly string[]): string[] {
    const model = nameParts(view).pop() ?? "";
    const shareable = context.shareableColumns[model];
    if (shareable === undefined) {
        return [`share view ${view} is named like no model the registry shares; a view in ${context.shareSchema} is named like ` +
            "the model it shares (readers: share in sql/<area>/models.yml) and lists only that model's shareable columns"];
    }
    const sql = masked(statement);
    const problems: string[] = [];
    if (STAR_ITEM.test(sql)) {
        problems.push(`share view ${view} selects *, so every column of what it reads leaves the account, conversation text ` +
            `included; list the shareable columns of ${model} one by one`);
    }
    const read = new Set([...sql.matchAll(new RegExp(IDENTIFIER, "gi"))].map((token) => nameParts(token[0]).pop() ?? "")
        .filter((name) => context.privateColumns[name] !== undefined));
    for (const column of read) {
        problems.push(`share view ${view} reads ${column} (${context.privateColumns[column]}), which never leaves the account; ` +
            "remove it from the view's statement");
    }
    const items = selectItems(sql);
    if (items === undefined) {
        return [...problems, `share view ${view} has no SELECT list the policy can read; select ${model}'s shareable columns one by one`];
    }
    const names = renamed ?? items.map(outputName);
    names.forEach((name, index) => {
        if (name === undefined && /(^|\.)\s*\*$/.test(items[index] ?? "")) {
            return;
        }
        if (name === undefined) {
            problems.push(`share view ${view} selects \`${items[index]}\` without a name; end it with AS <a shareable column of ${model}>`);
        } else if (!read.has(name) && !SHARE_TAG_COLUMNS.includes(name) && !shareable.includes(name)) {
            problems.push(`share view ${view} selects ${name}, which the registry does not let the share carry for ${model}; ` +
                `share only ${model}'s shareable columns (sql/<area>/models.yml) and ${SHARE_TAG_COLUMNS.join(", ")}`);
        }
    });
    return problems;
}

/** Whether a qualified name (parts, UPPERCASE) lies in the share schema. */
export const inShareSchema = (parts: readonly string[], context: PolicyContext) =>
    parts.length >= 2 && parts[parts.length - 2] === context.shareSchema;

/** A CREATE VIEW statement's view (qualified parts), query and renamed columns, or undefined for any other statement. */
export function createdView(text: string): { parts: string[]; query: string; renamed?: string[] } | undefined {
    const match = CREATE_VIEW.exec(code(text));
    return match === null ? undefined : { parts: nameParts(match[1]), query: match[3], renamed: columnList(match[2]) };
}

/**
 * The share views a resource defines, judged: a Snowflake View in the share schema, and every
 * CREATE VIEW statement of a dynamic resource that creates one there.
 */
export function definedShareViewProblems(subject: PolicySubject, context: PolicyContext): string[] {
    const props = subject.props as Record<string, unknown>;
    if (isSnowflake(subject, "View")) {
        const parts = [props.database, props.schema, props.name].map((part) => (typeof part === "string" ? nameParts(part).pop() ?? "" : ""));
        const statement = unwrap(props.statement);
        if (parts[1] !== context.shareSchema || typeof statement !== "string" || isUnknown(statement) || isUnknown(props.name)) {
            return [];
        }
        const renamed = Array.isArray(props.columns)
            ? (props.columns as Record<string, unknown>[]).map((column) => nameParts(String(column?.columnName ?? "")).pop() ?? "") : undefined;
        // Judged even when the statement is a secret: only column names reach the message.
        return shareViewProblems(parts.filter((part) => part !== "").join("."), statement, context, renamed)
            .map((problem) => (isSecret(props.statement) ? `${problem} (its statement is a Pulumi secret)` : problem));
    }
    if (!isDynamic(subject)) {
        return [];
    }
    return statementsOf(subject).flatMap((statement) => {
        const view = createdView(statement.text);
        return view === undefined || !inShareSchema(view.parts, context) ? []
            : shareViewProblems(view.parts.join("."), view.query, context, view.renamed).map((problem) => `${statement.where}: ${problem}`);
    });
}
