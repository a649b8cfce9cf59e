import type { RenderedSql } from "../lib/sql/render";
import type { Statement } from "../provider/statements";
import { Check, DoctorContext, ownerOrLogin } from "./context";
import { codeOf } from "./readOnly";
import { count, Finding } from "./report";

/**
 * SQL compiles here: every view, dynamic-table query and ingestion or rollup statement of the
 * stack's rendered catalog is compiled with EXPLAIN, which compiles a statement and executes
 * nothing (https://docs.snowflake.com/en/sql-reference/sql/explain). What EXPLAIN cannot check
 * is listed as not checked, never as passing.
 */

/**
 * [open] Assumption: EXPLAIN compiles DML (INSERT, MERGE, UPDATE, DELETE) as it compiles a query;
 * the page's syntax takes any `<statement>` and its examples are queries. A live check settles it:
 * `EXPLAIN USING TABULAR INSERT INTO <a table the role owns> SELECT * FROM <the same table> LIMIT 0`.
 * If Snowflake refuses, set this to false and DML is listed as not checked.
 */
export const EXPLAIN_COMPILES_DML = true;

export interface CompileTarget {
    /** `view AGENT_METRICS`, `dynamic table DT_...`, `procedure statement read_from`. */
    readonly name: string;
    readonly sql: RenderedSql;
}

const TEMPORARY_TABLE = /\bCREATE\s+(?:OR\s+REPLACE\s+)?TEMPORARY\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([A-Z0-9_$]+)\b/gi;

/** The session's scratch tables: what the catalog's statements create TEMPORARY, inside a procedure run. */
function temporaryTables(catalog: DoctorContext["catalog"]): string[] {
    return [...new Set(Object.values(catalog.procedureStatements)
        .flatMap((sql) => [...codeOf(sql.text).matchAll(TEMPORARY_TABLE)].map((match) => match[1].toUpperCase())))];
}

/**
 * Why a statement is not compiled, or undefined when EXPLAIN can compile it; `scratch` holds the
 * catalog's temporary tables (temporaryTables).
 */
export function notExplainable(text: string, context: Pick<DoctorContext, "beforeDeploy" | "config">,
                               scratch: readonly string[]): string | undefined {
    const code = codeOf(text).toUpperCase();
    const verb = code.split(" ")[0];
    const dml = ["INSERT", "MERGE", "UPDATE", "DELETE"].includes(verb);
    if (!["SELECT", "WITH"].includes(verb) && !(dml && EXPLAIN_COMPILES_DML)) {
        return "DDL and session statements: EXPLAIN compiles queries and DML only";
    }
    if (scratch.length > 0 && new RegExp(`\\b(${scratch.join("|")})\\b`).test(code)) {
        return "reads a temporary table that exists only inside a procedure run";
    }
    if (context.beforeDeploy && code.includes(`${context.config.database}.${context.config.schema}.`)) {
        return "reads objects pulumi up creates";
    }
    return undefined;
}

export function compileTargets(context: Pick<DoctorContext, "catalog">): CompileTarget[] {
    const { catalog } = context;
    return [
        ...Object.entries(catalog.views).map(([name, sql]) => ({ name: `view ${name}`, sql })),
        ...Object.entries(catalog.cost).map(([name, sql]) => ({ name: `view ${name}`, sql })),
        ...Object.entries(catalog.dynamicTables).map(([name, sql]) => ({ name: `dynamic table ${name}`, sql })),
        ...Object.entries(catalog.procedureStatements).map(([name, sql]) => ({ name: `procedure statement ${name}`, sql })),
    ];
}

/**
 * A statement's binds are compiled as NULL: names, columns, attribute paths and privileges do not
 * depend on the values, so EXPLAIN still proves them. Snowflake may refuse a NULL where a
 * constant of a type is needed; such a refusal (it names the bind, a constant or NULL) is listed
 * as not checked, not as a failure.
 */
export const NULL_BIND_REFUSAL = /\bbind\b|\bconstant\b|\bNULL\b/i;

/** The EXPLAIN of an already-rendered catalog statement: a keyword put before it, no value added. */
export function explainStatement(target: CompileTarget): Statement {
    const text = target.sql.text.replace(/^(\s*--[^\n]*\n)+/, "");
    return { file: target.sql.files[0], text: `EXPLAIN USING TABULAR ${text}` };
}

export const compileCheck: Check = async (context) => context.as(ownerOrLogin(context), async (session) => {
    const findings: Finding[] = [];
    const skipped = new Map<string, string[]>();
    const compiled: string[] = [];
    const scratch = temporaryTables(context.catalog);
    for (const target of compileTargets(context)) {
        const reason = notExplainable(target.sql.text, context, scratch);
        if (reason !== undefined) {
            skipped.set(reason, [...(skipped.get(reason) ?? []), target.name]);
            continue;
        }
        // The renderer records every bind a statement declares ({{bind name}}, rendered as ?).
        const binds = target.sql.binds.length;
        const result = await session.attempt(explainStatement(target), binds);
        const withNulls = binds > 0 ? ` (compiled with NULL for its ${binds} bind values)` : "";
        if ("error" in result && binds > 0 && NULL_BIND_REFUSAL.test(result.error)) {
            skipped.set("Snowflake refused NULL in place of their bind values", [
                ...(skipped.get("Snowflake refused NULL in place of their bind values") ?? []), `${target.name}: ${result.error}`]);
        } else if ("error" in result) {
            findings.push({ area: "compile", status: "fail", title: `${target.name} (${target.sql.files[0]}) does not compile${withNulls}`,
                evidence: result.error,
                fix: "report it as a Wallmonitor issue with this message; until fixed, what reads it shows nothing" });
        } else {
            compiled.push(target.name);
        }
    }
    findings.unshift({ area: "compile", status: compiled.length > 0 ? "pass" : "not-checked",
        title: `${count(compiled.length, "statement")} compile here (EXPLAIN)${findings.length > 0 ? `, ${findings.length} do not` : ""}` });
    for (const [reason, names] of skipped) {
        findings.push({ area: "compile", status: "not-checked", title: `${count(names.length, "statement")} not compiled: ${reason}`,
            // Names alone on one line; names with Snowflake's message one per line.
            evidence: names.map((name) => name.replace(/\s*\n\s*/g, " ")).join(names.some((name) => name.includes(": ")) ? "\n" : ", ") });
    }
    return findings;
});
