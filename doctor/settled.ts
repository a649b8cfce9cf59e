import { agentLocationName } from "../lib/config/stack";
import { ident, literal } from "../lib/sql/render";
import { loadModel } from "../privileges/classify";
import { BIND_VALUES_PARAMETER, CLOSE_BIND_HISTORY } from "../provider/bindHistory";
import { cell, Check, DoctorContext, ownerOrLogin } from "./context";
import { count, Finding } from "./report";
import { doctorStatement } from "./sql";

/**
 * Settled live: the facts snowflake-access.md marks [open] that Wallmonitor depends on, each
 * checked in the least intrusive way, read-only. The checks are the privilege model's
 * openChecks (privileges/model.json), so the model, the README and the doctor list the same
 * facts; plus whether bind values are readable, which decides whether secrets may be bound.
 */

/** A model check's text, its trailing `-- as ...` note apart: the statement and the role it names. */
export function parseOpenCheck(check: string): { statement: string; asOwner: boolean } {
    const [statement, note = ""] = check.split(/\s+--\s+/, 2);
    return { statement: statement.trim(), asOwner: /owner role/i.test(note) };
}

/**
 * The check's `<...>` placeholders filled from the stack's config: `<agent schema>` and `<db>`,
 * `<schema>`, `<agent>` (the agent's own, from `agent`). Each value is a validated identifier.
 * Undefined when a placeholder has no value.
 */
export function fillPlaceholders(statement: string, context: Pick<DoctorContext, "config">, agent: string | undefined): string | undefined {
    const location = context.config.agentLocations?.find((candidate) => candidate.schema !== undefined);
    const [db, schema, name] = agent?.split(".") ?? [];
    const values: Record<string, string | undefined> = {
        "<agent schema>": location === undefined ? undefined : ident(...agentLocationName(location).split(".")).identifier,
        "<db>": db === undefined ? undefined : ident(db).identifier,
        "<schema>": schema === undefined ? undefined : ident(schema).identifier,
        "<agent>": name === undefined ? undefined : ident(name).identifier,
    };
    let filled = statement;
    for (const placeholder of statement.match(/<[^<>]+>/g) ?? []) {
        const value = values[placeholder];
        if (value === undefined) {
            return undefined;
        }
        filled = filled.split(placeholder).join(value);
    }
    return filled;
}

/** What a check returned, briefly: the row count and the first rows' values. */
function describeRows(rows: readonly Readonly<Record<string, unknown>>[]): string {
    const shown = rows.slice(0, 3).map((row) => Object.keys(row).map((column) => `${column}=${cell(row, column)}`).join(" "));
    return `${count(rows.length, "row")}${shown.length > 0 ? `: ${shown.join("; ")}` : ""}${rows.length > 3 ? "; ..." : ""}`;
}

export const settledCheck: Check = async (context) => {
    const findings: Finding[] = [];
    const owner = ownerOrLogin(context);
    await context.as(undefined, async (session) => {
        const rows = await session.attempt(doctorStatement("account_parameter", { NAME: literal(BIND_VALUES_PARAMETER) }));
        if ("error" in rows) {
            findings.push({ area: "settled", status: "warn", title: `${BIND_VALUES_PARAMETER} not readable`, evidence: rows.error });
            return;
        }
        const value = cell(rows.rows[0] ?? {}, "value").toUpperCase() || "TRUE";
        const bindsSecrets = context.build.resources.some((resource) => JSON.stringify(resource.inputs).includes("show_bind_values_access"));
        const readable = value !== "FALSE";
        findings.push({
            area: "settled",
            status: readable && bindsSecrets && !context.config.acceptReadableBindValues ? "fail" : readable && bindsSecrets ? "warn" : "pass",
            title: `${BIND_VALUES_PARAMETER} = ${value}: bind values ${readable ? "are" : "are not"} readable in bind and query history`,
            evidence: bindsSecrets ? "this stack binds secrets (webhook or Git token); the provider refuses while bind values are readable " +
                "unless wallmonitor:acceptReadableBindValues is true" : "this stack binds no secret",
            fix: readable && bindsSecrets ? `${CLOSE_BIND_HISTORY} (as ACCOUNTADMIN), or set wallmonitor:acceptReadableBindValues to true to accept the risk` : undefined,
        });
    });
    const agent = owner === undefined ? undefined : await context.as(owner, async (session) => {
        const agents = await session.query(doctorStatement("show_agents"));
        const row = agents[0];
        return row === undefined ? undefined : [cell(row, "database_name"), cell(row, "schema_name"), cell(row, "name")].join(".").toUpperCase();
    });
    for (const open of loadModel().openChecks) {
        const { statement, asOwner } = parseOpenCheck(open.check);
        const filled = fillPlaceholders(statement, context, agent);
        if (filled === undefined) {
            findings.push({ area: "settled", status: "not-checked", title: `[open] ${open.fact}`, evidence: `needs a value for ${statement}` });
            continue;
        }
        if (asOwner && owner === undefined) {
            findings.push({ area: "settled", status: "not-checked", title: `[open] ${open.fact}`, evidence: "runs as the owner role, which pulumi up creates" });
            continue;
        }
        const role = asOwner ? owner : undefined;
        const result = await context.as(role, (session) => session.attempt({ file: "privileges/model.json openChecks", text: filled }));
        const fact = `[open] ${open.fact.replace(/\.$/, "")}`;
        const ran = `${filled} as ${role ?? "the login role"}`;
        findings.push("error" in result
            ? { area: "settled", status: "warn", title: `${fact}: the check was refused here`, evidence: `${ran}: ${result.error}` }
            : { area: "settled", status: "pass", title: `${fact}: the check succeeded here`, evidence: `${ran}: ${describeRows(result.rows)}` });
    }
    return findings;
};
