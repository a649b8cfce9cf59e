import { checkBuild } from "../policy/offline";
import { POLICY_NAMES } from "../policy/pack";
import { Violation } from "../policy/rules";
import { isSecret } from "../policy/subject";
import { procedureBody, procedureHeader } from "../provider/procedure";
import { OfflineBuild, PROJECT_ROOT, RecordedResource } from "./offline";
import { OWN_COST_TITLE, ownCostLines } from "./ownCost";

/**
 * Renders an offline build as the plan a reviewer reads: every Snowflake object by component,
 * the grants as role x object x privilege, and the SQL of every view, dynamic table,
 * procedure and task. Output is deterministic: the same stack gives the same text.
 */

export const SNOWFLAKE_PREFIX = "snowflake:index/";

export function kind(type: string): string {
    return type.startsWith(SNOWFLAKE_PREFIX) ? type.slice(SNOWFLAKE_PREFIX.length).split(":")[1] : type;
}

function input(resource: RecordedResource, key: string): unknown {
    return resource.inputs[key];
}

/** A secret input (such as the organisation's identity key view) is never printed. */
function text(value: unknown): string {
    return isSecret(value) ? "[secret]" : typeof value === "string" ? value : JSON.stringify(value);
}

export function objectName(resource: RecordedResource): string {
    const parts = ["database", "schema", "name"].map((key) => input(resource, key)).filter((part) => typeof part === "string");
    return parts.join(".");
}

export function isGrant(resource: RecordedResource): boolean {
    return /^Grant/.test(kind(resource.type));
}

export interface GrantRow {
    readonly role: string;
    readonly on: string;
    readonly privileges: string;
}

export function grantRow(resource: RecordedResource): GrantRow {
    const inputs = resource.inputs as Record<string, any>;
    switch (kind(resource.type)) {
        case "GrantAccountRole":
            // To a user (the owner role to the deploy user, components/access.ts) or to a role.
            return { role: typeof inputs.userName === "string" ? `USER ${inputs.userName}` : inputs.parentRoleName,
                on: `ROLE ${inputs.roleName}`, privileges: "(role grant)" };
        case "GrantDatabaseRole":
            return { role: inputs.parentRoleName, on: `DATABASE ROLE ${inputs.databaseRoleName}`, privileges: "(role grant)" };
        case "GrantApplicationRole":
            return { role: inputs.parentAccountRoleName, on: `APPLICATION ROLE ${inputs.applicationRoleName}`, privileges: "(role grant)" };
        case "GrantPrivilegesToShare": {
            const [objectType, objectName] = (["onDatabase", "onSchema", "onView", "onTable"] as const)
                .filter((key) => typeof inputs[key] === "string")
                .map((key) => [key.slice(2).toUpperCase(), inputs[key] as string])[0] ?? ["?", "?"];
            return { role: `SHARE ${inputs.toShare}`, on: `${objectType} ${objectName}`, privileges: (inputs.privileges ?? []).join(", ") };
        }
        default: {
            let on = "?";
            if (inputs.onAccount) {
                on = "ACCOUNT";
            } else if (inputs.onAccountObject) {
                on = `${inputs.onAccountObject.objectType} ${inputs.onAccountObject.objectName}`;
            } else if (inputs.onSchema) {
                on = `SCHEMA ${inputs.onSchema.schemaName}`;
            } else if (inputs.onSchemaObject?.all) {
                on = `ALL ${inputs.onSchemaObject.all.objectTypePlural} IN ${inputs.onSchemaObject.all.inSchema}`;
            } else if (inputs.onSchemaObject?.future) {
                on = `FUTURE ${inputs.onSchemaObject.future.objectTypePlural} IN ${inputs.onSchemaObject.future.inSchema}`;
            } else if (inputs.onSchemaObject) {
                on = `${inputs.onSchemaObject.objectType} ${inputs.onSchemaObject.objectName}`;
            }
            return { role: inputs.accountRoleName, on, privileges: (inputs.privileges ?? []).join(", ") };
        }
    }
}

/** Dynamic resources of Wallmonitor's own provider. */
export const DYNAMIC_PREFIX = "pulumi-nodejs:dynamic";
/** Wallmonitor's procedure resources (provider/procedure.ts). */
export const PROCEDURE_TYPE = `${DYNAMIC_PREFIX}/wallmonitor:Procedure`;
/** Wallmonitor's grant resources (provider/grant.ts). */
export const GRANT_TYPE = `${DYNAMIC_PREFIX}/wallmonitor:Grant`;

const GRANT_ROLE_SQL = /^GRANT\s+((?:DATABASE\s+|APPLICATION\s+)?ROLE)\s+(\S+)\s+TO\s+ROLE\s+(\S+)$/i;
const GRANT_PRIVILEGE_SQL = /^GRANT\s+(.+?)\s+ON\s+(.+?)\s+TO\s+(ROLE|SHARE)\s+(\S+)$/i;

/** SQL without `--` comment lines, on one line. */
function oneLine(text: string): string {
    return text.split("\n").filter((line) => !line.trim().startsWith("--")).join(" ").replace(/\s+/g, " ").trim();
}

/**
 * The grant rows of a dynamic resource: each GRANT statement in its inputs, with its full
 * securable (`FUTURE AGENTS IN SCHEMA DB.S`, where it is). A resource that tries several grants in
 * turn (AI-observability access: the first reader role the account has) shows each candidate.
 */
export function dynamicGrantRows(resource: RecordedResource): GrantRow[] {
    return statementsIn(resource.inputs).flatMap((statement) => {
        const sql = oneLine(statement.text);
        const role = GRANT_ROLE_SQL.exec(sql);
        if (role !== null) {
            return [{ role: role[3], on: `${role[1].toUpperCase()} ${role[2]}`, privileges: "(role grant)" }];
        }
        const privilege = GRANT_PRIVILEGE_SQL.exec(sql);
        return privilege === null ? [] : [{
            role: privilege[3].toUpperCase() === "SHARE" ? `SHARE ${privilege[4]}` : privilege[4],
            on: privilege[2],
            privileges: privilege[1],
        }];
    });
}

/** The component a resource belongs to: the longest component name its own name extends. */
export function componentOf(resource: RecordedResource, components: readonly RecordedResource[]): string {
    const owner = components
        .filter((component) => resource.name.startsWith(`${component.name}-`))
        .sort((a, b) => b.name.length - a.name.length)[0];
    return owner === undefined ? "(stack)" : `${owner.name} (${owner.type})`;
}

/** The rendered statements a procedure body embeds (see lib/procedures.ts). */
export function embeddedStatements(definition: string | undefined): Record<string, string> {
    const match = definition === undefined ? null : /STATEMENTS\.update\(_json\.loads\((".*")\)\)/.exec(definition);
    return match === null ? {} : JSON.parse(JSON.parse(match[1]));
}

/** Every rendered statement ({file, text}) inside a dynamic resource's inputs, in input order. */
export function statementsIn(value: unknown, found: { file: string; text: string }[] = []): { file: string; text: string }[] {
    if (Array.isArray(value)) {
        value.forEach((item) => statementsIn(item, found));
    } else if (value !== null && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (typeof record.file === "string" && typeof record.text === "string") {
            found.push({ file: record.file, text: record.text });
        } else {
            Object.entries(record).filter(([key]) => key !== "__provider").forEach(([, item]) => statementsIn(item, found));
        }
    }
    return found;
}

function section(title: string, lines: string[]): string[] {
    return [`## ${title}`, "", ...lines, ""];
}

/** The procedure's inputs the plan reads (provider/procedure.ts ProcedureInputs). */
interface RecordedProcedure {
    readonly procedure: string;
    readonly create: { readonly text: string };
}

/**
 * Each procedure's signature and create header, then the statements its body embeds: every
 * procedure's, under one heading per distinct set (the ingestion procedures share one module).
 */
export function procedureLines(procedures: readonly RecordedResource[], markdown = false): string[] {
    const recorded = procedures.map((resource) => resource.inputs as unknown as RecordedProcedure)
        .sort((a, b) => a.procedure.localeCompare(b.procedure));
    const lines: string[] = [];
    const byStatements = new Map<string, { names: string[]; statements: Record<string, string> }>();
    for (const procedure of recorded) {
        const header = procedureHeader(procedure.create.text).replace(/^(--[^\n]*\n)+/, "");
        lines.push(...sqlBlock(`Procedure ${procedure.procedure}`, `${header} $$ ... $$`, markdown));
        const statements = embeddedStatements(procedureBody(procedure.create.text));
        const key = JSON.stringify(Object.entries(statements).sort());
        const group = byStatements.get(key) ?? { names: [], statements };
        group.names.push(procedure.procedure.split(".").pop()!);
        byStatements.set(key, group);
    }
    for (const { names, statements } of byStatements.values()) {
        for (const [statement, sql] of Object.entries(statements).sort()) {
            lines.push(...sqlBlock(`Procedure statement ${statement} (${names.join(", ")})`, sql, markdown));
        }
    }
    return lines;
}

/** How much the plan shows, and for whom. */
export interface PlanOptions {
    /** Every SQL body and every statement of Wallmonitor's provider, after the summary. */
    readonly full?: boolean;
    /** For a pull-request comment or a Markdown viewer: each SQL body folded into `<details>`. */
    readonly markdown?: boolean;
}

/** `View` for a Snowflake resource; `Procedure` for `pulumi-nodejs:dynamic/wallmonitor:Procedure`. */
function resourceKind(resource: RecordedResource): string {
    return resource.type.startsWith(DYNAMIC_PREFIX) ? resource.type.split(/[:/]/).pop()! : kind(resource.type);
}

const CREATE_SQL = /^CREATE\s+(?:OR\s+REPLACE\s+)?([A-Z]+(?:\s+INTEGRATION)?)\s+(?:IF\s+NOT\s+EXISTS\s+)?([A-Z0-9_$."]+)/i;

/**
 * What a dynamic resource manages, named as a reviewer knows it: a procedure by its name, others
 * by the Snowflake objects their statements create (a dashboard app: its stage and the app).
 */
function dynamicLabel(resource: RecordedResource): string {
    const procedure = input(resource, "procedure");
    if (typeof procedure === "string") {
        return `${resourceKind(resource)} ${procedure}`;
    }
    const created = [...new Set(statementsIn(resource.inputs).map((statement) => CREATE_SQL.exec(oneLine(statement.text)))
        .filter((match): match is RegExpExecArray => match !== null)
        .map((match) => `${match[1].toUpperCase()} ${match[2]}`))].sort();
    return `${resourceKind(resource)} ${created.length === 0 ? resource.name : created.join(", ")}`;
}

/** The component that declared a component: the longest other component name its own name extends. */
function parentOf(component: RecordedResource, components: readonly RecordedResource[]): RecordedResource | undefined {
    return components.filter((other) => other !== component && component.name.startsWith(`${other.name}-`))
        .sort((a, b) => b.name.length - a.name.length)[0];
}

/**
 * What a reviewer should weigh before approving: the tables that hold data and how they are
 * guarded, who can read raw agent events (directly or through a role grant), whether
 * conversation text is stored, what the admin role creates, and the secrets the stack writes.
 */
export function planRisks(build: OfflineBuild, grants: readonly GrantRow[], roleOf: (resource: RecordedResource) => string,
                          adminRole: string): string[] {
    const risks: string[] = [];
    const tables = build.resources.filter((resource) => kind(resource.type) === "Table");
    const names = (list: readonly RecordedResource[]) => list.map((table) => String(input(table, "name"))).sort().join(", ");
    const guarded = tables.filter((table) => table.protect);
    const unguarded = tables.filter((table) => !table.protect);
    if (guarded.length > 0) {
        risks.push(`${guarded.length} tables hold data; all are protected, so a \`pulumi up\` that would replace or delete ` +
            `one fails instead: ${names(guarded)}.`);
    }
    if (unguarded.length > 0) {
        risks.push(`${unguarded.length} tables are not protected; a replacement or removal drops their rows: ${names(unguarded)}.`);
    }
    const rawReaders = grants.filter((grant) => /AI_OBSERVABILITY_|EVENTS_ADMIN|EVENTS_VIEWER|UNREDACTED/.test(grant.on));
    for (const reader of [...new Set(rawReaders.map((grant) => grant.role))].sort()) {
        const via = rawReaders.filter((grant) => grant.role === reader).map((grant) => grant.on).sort();
        const inheritors = grants.filter((grant) => grant.on === `ROLE ${reader}`).map((grant) => grant.role).sort();
        risks.push(`${reader} reads every agent's raw events (${via.join("; ")})` + (inheritors.length === 0
            ? "; no other role inherits it."
            : `; inherited by ${inheritors.join(", ")}, so every member of ${inheritors.length === 1 ? "that role" : "those roles"} reads them too.`));
    }
    const storesText = build.config?.["wallmonitor:storeConversationText"] === "true";
    risks.push(storesText ? "conversation text is stored (wallmonitor:storeConversationText is true)."
        : "conversation text is not stored (wallmonitor:storeConversationText is false).");
    const byAdmin = build.resources.filter((resource) => resource.type.startsWith(SNOWFLAKE_PREFIX) && !isGrant(resource) &&
        roleOf(resource) === adminRole);
    if (byAdmin.length > 0) {
        const kinds = new Map<string, number>();
        byAdmin.forEach((resource) => kinds.set(kind(resource.type), (kinds.get(kind(resource.type)) ?? 0) + 1));
        risks.push(`created as ${adminRole}: ${[...kinds].sort().map(([name, count]) => `${count} ${name}`).join(", ")}.`);
    }
    const secrets = build.resources.filter((resource) => resource.type.startsWith(DYNAMIC_PREFIX) &&
        Object.values(resource.inputs).some(isSecret)).map((resource) => resource.name).sort();
    if (secrets.length > 0) {
        risks.push(`secret values (shown as [secret]) go to Snowflake through: ${secrets.join(", ")}.`);
    }
    return risks.map((risk) => `- ${risk}`);
}

/** A SQL body: a fenced block, folded into `<details>` for Markdown viewers. */
function sqlBlock(title: string, sql: string, markdown: boolean): string[] {
    return markdown
        ? [`<details><summary>${title}</summary>`, "", "```sql", sql, "```", "", "</details>", ""]
        : [`### ${title}`, "", "```sql", sql, "```", ""];
}

/**
 * The plan: by default a summary a reviewer reads in a minute (objects per component, with the
 * dynamic resources under the component that owns them; the grants; the risks; the policy
 * verdict). `full` adds every SQL body and every statement of Wallmonitor's provider.
 */
export function renderPlan(build: OfflineBuild, options: PlanOptions = {}): string {
    const snowflakeResources = build.resources.filter((resource) => resource.type.startsWith(SNOWFLAKE_PREFIX));
    const dynamicResources = build.resources.filter((candidate) => candidate.type.startsWith(DYNAMIC_PREFIX));
    const components = build.resources.filter((resource) => resource.type.startsWith("wallmonitor:"));
    const providers = build.resources.filter((resource) => resource.type === "pulumi:providers:snowflake");
    const roleOf = (resource: RecordedResource) =>
        text(providers.find((candidate) => resource.provider?.includes(`::${candidate.name}::`))?.inputs.role ?? "?");
    const objects = snowflakeResources.filter((resource) => !isGrant(resource));
    const grants = [...snowflakeResources.filter(isGrant).map(grantRow), ...dynamicResources.flatMap(dynamicGrantRows)]
        .sort((a, b) => a.role.localeCompare(b.role) || a.on.localeCompare(b.on));
    const out: string[] = [`# Wallmonitor plan for stack \`${build.stack}\``, "",
        `${objects.length} Snowflake objects, ${snowflakeResources.length - objects.length} grant resources and ` +
        `${dynamicResources.length} resources of Wallmonitor's provider, in ${components.length} components; ` +
        `${providers.length} providers. Offline: built on Pulumi's mock runtime from Pulumi.${build.stack}.yaml.` +
        (options.full ? "" : " Every SQL body: `--full`."), ""];

    out.push(...section("Providers", [...providers]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((provider) => `- ${provider.name}: role ${text(input(provider, "role"))}, preview features ` +
            `${text(input(provider, "previewFeaturesEnabled"))}`)));

    const owned = new Map<string, string[]>();
    for (const resource of [...objects, ...dynamicResources.filter((resource) => resource.type !== GRANT_TYPE)]) {
        const line = resource.type.startsWith(DYNAMIC_PREFIX)
            ? `- ${dynamicLabel(resource)} (Wallmonitor's provider)`
            : `- ${kind(resource.type)} ${objectName(resource)} (as role ${roleOf(resource)})`;
        const component = componentOf(resource, components);
        owned.set(component, [...(owned.get(component) ?? []), line]);
    }
    const label = (component: RecordedResource) => `${component.name} (${component.type})`;
    const depth = (component: RecordedResource): number => {
        const parent = parentOf(component, components);
        return parent === undefined ? 0 : depth(parent) + 1;
    };
    const objectLines: string[] = [];
    for (const component of [...components].sort((a, b) => a.name.localeCompare(b.name))) {
        const lines = (owned.get(label(component)) ?? []).sort();
        const parts = components.filter((other) => parentOf(other, components) === component).map((other) => other.name).sort();
        const heading = "#".repeat(Math.min(3 + depth(component), 6));
        objectLines.push(`${heading} ${label(component)}: ${lines.length} object(s)`, "");
        if (parts.length > 0) {
            objectLines.push(`Composes ${parts.join(", ")}.`, "");
        }
        if (lines.length > 0) {
            objectLines.push(...lines, "");
        }
    }
    const loose = owned.get("(stack)") ?? [];
    if (loose.length > 0) {
        objectLines.push("### (stack)", "", ...loose.sort(), "");
    }
    out.push(...section("Objects by component", objectLines));

    out.push(...section("Grants", [
        "| role | object | privileges |",
        "|---|---|---|",
        ...grants.map((grant) => `| ${grant.role} | ${grant.on} | ${grant.privileges} |`),
    ]));
    const adminRole = text(providers.find((provider) => provider.name.endsWith("-admin"))?.inputs.role ?? "");
    out.push(...section("Risks", planRisks(build, grants, roleOf, adminRole)));
    out.push(...section("Policy", policyLines(checkBuild(build))));
    out.push(...section(OWN_COST_TITLE, ownCostLines(build)));

    if (options.full) {
        const markdown = options.markdown === true;
        const sqlLines: string[] = [];
        const sqlOf: [string, string][] = [["View", "statement"], ["DynamicTable", "query"], ["Task", "sqlStatement"]];
        for (const [resourceKind, key] of sqlOf) {
            for (const resource of objects.filter((candidate) => kind(candidate.type) === resourceKind)
                .sort((a, b) => objectName(a).localeCompare(objectName(b)))) {
                const extra = resourceKind === "DynamicTable" ? ` (refresh ${text(input(resource, "refreshMode"))})` : "";
                sqlLines.push(...sqlBlock(`${resourceKind} ${objectName(resource)}${extra}`, text(input(resource, key)), markdown));
            }
        }
        sqlLines.push(...procedureLines(dynamicResources.filter((resource) => resource.type === PROCEDURE_TYPE), markdown));
        out.push(...section("SQL", sqlLines));

        const dynamicLines: string[] = [];
        for (const resource of [...dynamicResources].sort((a, b) => a.name.localeCompare(b.name))) {
            dynamicLines.push(`### ${resource.type.split("/").pop()} ${resource.name} (Wallmonitor's provider on snowflake-sdk)`, "");
            for (const statement of statementsIn(resource.inputs)) {
                // A procedure's Python body is shown under SQL, by the statements it embeds.
                const body = procedureBody(statement.text);
                const sql = body === undefined ? oneLine(statement.text)
                    : `${oneLine(procedureHeader(statement.text))} $$ <${body.trim().split("\n").length} lines of Python> $$`;
                dynamicLines.push(`- \`${sql}\` (${statement.file})`);
            }
            dynamicLines.push("");
        }
        out.push(...section("Dynamic provider resources", dynamicLines));
    }
    // Local file paths (the dashboard upload) are shown relative to the checkout, so the plan
    // reads the same on every machine.
    return `${out.join("\n").trimEnd()}\n`.split(PROJECT_ROOT).join("<repo>");
}

/** The policy pack's verdict on the plan: every rule, and each violation. */
export function policyLines(violations: readonly Violation[]): string[] {
    const lines = [violations.length === 0
        ? `All ${POLICY_NAMES.length} mandatory policies of the pack (policy/) pass: ${POLICY_NAMES.join(", ")}.`
        : `**${violations.length} policy violation(s)**; \`pulumi preview --policy-pack policy\` would fail:`, ""];
    for (const violation of violations) {
        lines.push(`- \`${violation.policy}\` on ${violation.resource}: ${violation.message}`);
    }
    return lines;
}
