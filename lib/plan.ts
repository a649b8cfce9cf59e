import { checkBuild } from "../policy/offline";
import { POLICY_NAMES } from "../policy/pack";
import { isSecret, Violation } from "../policy/rules";
import { OfflineBuild, PROJECT_ROOT, RecordedResource } from "./offline";

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
            return { role: inputs.parentRoleName, on: `ROLE ${inputs.roleName}`, privileges: "(role grant)" };
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

export function renderPlan(build: OfflineBuild): string {
    const snowflakeResources = build.resources.filter((resource) => resource.type.startsWith(SNOWFLAKE_PREFIX));
    const components = build.resources.filter((resource) => resource.type.startsWith("wallmonitor:"));
    const providers = build.resources.filter((resource) => resource.type === "pulumi:providers:snowflake");
    const out: string[] = [`# Wallmonitor plan for stack \`${build.stack}\``, "",
        `${snowflakeResources.length} Snowflake objects and grants, ${components.length} components, ` +
        `${providers.length} providers. Offline: built on Pulumi's mock runtime from Pulumi.${build.stack}.yaml.`, ""];

    out.push(...section("Providers", [...providers]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((provider) => `- ${provider.name}: role ${text(input(provider, "role"))}, preview features ` +
            `${text(input(provider, "previewFeaturesEnabled"))}`)));

    const objects = snowflakeResources.filter((resource) => !isGrant(resource));
    const byComponent = new Map<string, string[]>();
    for (const resource of objects) {
        const component = componentOf(resource, components);
        const provider = providers.find((candidate) => resource.provider?.includes(`::${candidate.name}::`));
        const line = `- ${kind(resource.type)} ${objectName(resource)} (as role ${text(provider?.inputs.role ?? "?")})`;
        byComponent.set(component, [...(byComponent.get(component) ?? []), line]);
    }
    const objectLines: string[] = [];
    for (const component of [...byComponent.keys()].sort()) {
        objectLines.push(`### ${component}`, "", ...byComponent.get(component)!.sort(), "");
    }
    out.push(...section("Objects by component", objectLines));

    const grants = snowflakeResources.filter(isGrant).map(grantRow)
        .sort((a, b) => a.role.localeCompare(b.role) || a.on.localeCompare(b.on));
    out.push(...section("Grants", [
        "| role | object | privileges |",
        "|---|---|---|",
        ...grants.map((grant) => `| ${grant.role} | ${grant.on} | ${grant.privileges} |`),
    ]));

    const sqlLines: string[] = [];
    const sqlOf: [string, string][] = [["View", "statement"], ["DynamicTable", "query"], ["Task", "sqlStatement"]];
    for (const [resourceKind, key] of sqlOf) {
        for (const resource of objects.filter((candidate) => kind(candidate.type) === resourceKind)
            .sort((a, b) => objectName(a).localeCompare(objectName(b)))) {
            const extra = resourceKind === "DynamicTable" ? ` (refresh ${text(input(resource, "refreshMode"))})` : "";
            sqlLines.push(`### ${resourceKind} ${objectName(resource)}${extra}`, "", "```sql", text(input(resource, key)), "```", "");
        }
    }
    for (const resource of objects.filter((candidate) => kind(candidate.type) === "ProcedurePython")
        .sort((a, b) => objectName(a).localeCompare(objectName(b)))) {
        const args = (input(resource, "arguments") as { argName: string; argDataType: string; argDefaultValue?: string }[] ?? [])
            .map((arg) => `${arg.argName} ${arg.argDataType}${arg.argDefaultValue === undefined ? "" : ` DEFAULT ${arg.argDefaultValue}`}`);
        sqlLines.push(`### Procedure ${objectName(resource)}(${args.join(", ")})`, "",
            `Python ${text(input(resource, "runtimeVersion"))}, handler ${text(input(resource, "handler"))}, ` +
            `EXECUTE AS ${text(input(resource, "executeAs"))}; it runs the statements below.`, "");
    }
    const definition = objects.map((resource) => input(resource, "procedureDefinition")).find((value) => typeof value === "string");
    for (const [statement, sql] of Object.entries(embeddedStatements(definition as string | undefined)).sort()) {
        sqlLines.push(`### Procedure statement ${statement}`, "", "```sql", sql, "```", "");
    }
    out.push(...section("SQL", sqlLines));

    const dynamicLines: string[] = [];
    for (const resource of build.resources.filter((candidate) => candidate.type.startsWith("pulumi-nodejs:dynamic"))
        .sort((a, b) => a.name.localeCompare(b.name))) {
        dynamicLines.push(`### ${resource.type.split("/").pop()} ${resource.name} (Wallmonitor's provider on snowflake-sdk)`, "");
        for (const statement of statementsIn(resource.inputs)) {
            const sql = statement.text.split("\n").filter((line) => !line.trim().startsWith("--")).join(" ");
            dynamicLines.push(`- \`${sql.replace(/\s+/g, " ").trim()}\` (${statement.file})`);
        }
        dynamicLines.push("");
    }
    out.push(...section("Dynamic provider resources", dynamicLines));
    out.push(...section("Policy", policyLines(checkBuild(build))));
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
