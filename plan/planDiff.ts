import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";

import { HISTORY_COLUMNS_RULE } from "../policy/historyColumns";
import { buildSettings, checkBuild } from "../policy/offline";
import { Violation } from "../policy/rules";
import { grantsOf, isSecret } from "../policy/subject";
import { USER_IDENTITY_COLUMNS } from "../lib/sql/orgCatalog";
import { ORG_SHARE_SCHEMA } from "../lib/config/org";
import { AllowedColumnChanges, columnChangeMessage, columnChanges, columnSpecs, HISTORY_TABLES, isAllowed, tableBaseName } from "../lib/sql/historyColumns";
import { procedureBody, procedureHeader } from "../provider/procedure";
import { OfflineBuild } from "./offline";
import {
    componentOf, dynamicGrantRows, embeddedStatements, GRANT_TYPE, grantRow, isGrant, kind, objectName, policyLines, SNOWFLAKE_PREFIX,
    statementsIn,
} from "./plan";

/**
 * Plan diffs for pull requests: `plan --stack <s> --against <git-ref>` reduces each revision's
 * offline build to a PlanModel (JSON-safe), then compares the two: objects added, removed,
 * replaced or changed, grants gained or lost per role, a unified diff of every SQL text that
 * changed, the policy verdict, and the risky changes first. Output is Markdown and
 * deterministic: everything is sorted, and local paths read `<repo>`.
 */

export interface PlanObject {
    /** `type::pulumi name`: Pulumi's identity of a resource within a stack (its URN). */
    readonly key: string;
    readonly type: string;
    readonly kind: string;
    /** Snowflake name (`DB.SCHEMA.NAME`) or, when there is none, the Pulumi name. */
    readonly name: string;
    readonly component: string;
    readonly inputs: Record<string, unknown>;
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    /** A dynamic resource's serialized provider, used to ask its own diff() what replaces. */
    readonly provider?: string;
}

export interface PlanGrant {
    readonly role: string;
    readonly on: string;
    readonly privilege: string;
}

export interface PlanModel {
    readonly stack: string;
    /** Config values that decide how long data is kept, by key. */
    readonly retention: Record<string, string>;
    readonly viewerRoles: readonly string[];
    readonly objects: Record<string, PlanObject>;
    readonly grants: readonly PlanGrant[];
    /** Every SQL text the stack deploys, by a stable label. */
    readonly sql: Record<string, string>;
    readonly violations: readonly Violation[];
    /** wallmonitor:allowColumnChanges of the stack: history-table column changes it accepts. */
    readonly allowColumnChanges?: AllowedColumnChanges;
}

/** Config keys whose change alters how long history or rollups are kept. */
export const RETENTION_KEYS: readonly string[] = ["historyDays", "rollupRetentionDays"];
/** Inputs that set Snowflake's own retention (Time Travel, Fail-safe extension). */
const RETENTION_INPUTS: readonly string[] = ["dataRetentionTimeInDays", "dataRetentionDays", "maxDataExtensionTimeInDays"];
/** Kinds whose replacement or removal loses data (a database or schema drops the tables in it). */
const DATA_KINDS: readonly string[] = ["Table", "Schema", "Database"];

/**
 * Inputs of @pulumi/snowflake resources that force a new resource when they change (moving an
 * object to another database or schema; a procedure's signature; what a grant is on or to).
 * Everything else is updated in place.
 */
function replaceKeys(resourceKind: string): readonly string[] {
    if (resourceKind === "Grant" || resourceKind === "Procedure") {
        // Wallmonitor's own grant and procedure resources (provider/grant.ts, provider/procedure.ts).
        return resourceKind === "Grant" ? ["grantee", "privilege", "on"] : ["procedure", "argumentTypes"];
    }
    if (resourceKind.startsWith("Grant")) {
        return ["accountRoleName", "databaseRoleName", "parentRoleName", "roleName", "applicationRoleName", "onAccount",
            "onAccountObject", "onSchema", "onSchemaObject", "toShare", "onTable", "onView", "onDatabase"];
    }
    if (resourceKind === "Schema") {
        return ["database"];
    }
    if (resourceKind.startsWith("Procedure") || resourceKind.startsWith("Function")) {
        return ["database", "schema", "arguments", "returnType"];
    }
    return ["database", "schema"];
}

/** Sorted-key JSON, so equal inputs compare and print equal. */
export function stableJson(value: unknown): string {
    return JSON.stringify(value, (_key, item) => (item !== null && typeof item === "object" && !Array.isArray(item)
        ? Object.fromEntries(Object.keys(item).sort().map((key) => [key, (item as Record<string, unknown>)[key]]))
        : item));
}

/** The effective retention settings of `stack` in `root`: the stack file over Pulumi.yaml's defaults. */
function retentionSettings(root: string, stack: string): Record<string, string> {
    const load = (file: string) => (fs.existsSync(file) ? yaml.load(fs.readFileSync(file, "utf8")) ?? {} : {}) as
        { config?: Record<string, unknown> };
    const project = load(path.join(root, "Pulumi.yaml")).config ?? {};
    const stackConfig = load(path.join(root, `Pulumi.${stack}.yaml`)).config ?? {};
    const result: Record<string, string> = {};
    for (const key of RETENTION_KEYS) {
        const declared = project[`wallmonitor:${key}`] ?? project[key];
        const fallback = declared !== null && typeof declared === "object" ? (declared as { default?: unknown }).default : declared;
        const value = stackConfig[`wallmonitor:${key}`] ?? fallback;
        if (value !== undefined) {
            result[key] = String(value);
        }
    }
    return result;
}

/** `value` with every secret replaced by `[secret]`: the plan model is printed and posted on pull requests. */
function redactSecrets(value: unknown): unknown {
    if (isSecret(value)) {
        return "[secret]";
    }
    if (Array.isArray(value)) {
        return value.map(redactSecrets);
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, redactSecrets(item)]));
    }
    return value;
}

/** Replaces the checkout's path (and the temp folder of another revision) by `<repo>`, everywhere. */
function relocate<T>(value: T, root: string): T {
    return JSON.parse(JSON.stringify(value).split(root.replace(/\\/g, "\\\\")).join("<repo>")) as T;
}

export function planModel(build: OfflineBuild, root: string): PlanModel {
    const components = build.resources.filter((resource) => resource.type.startsWith("wallmonitor:"));
    const objects: Record<string, PlanObject> = {};
    const grants: PlanGrant[] = [];
    const sql: Record<string, string> = {};
    const custom = build.resources.filter((resource) => resource.custom && !resource.type.startsWith("pulumi:providers:"));
    for (const resource of custom) {
        const key = `${resource.type}::${resource.name}`;
        const { __provider: provider, ...inputs } = resource.inputs;
        const resourceKind = resource.type.startsWith(SNOWFLAKE_PREFIX) ? kind(resource.type) : resource.type.split(/[/:]/).pop()!;
        objects[key] = {
            key,
            type: resource.type,
            kind: resourceKind,
            name: objectName(resource) || resource.name,
            component: componentOf(resource, components),
            inputs: redactSecrets(inputs) as Record<string, unknown>,
            protect: resource.protect === true,
            retainOnDelete: resource.retainOnDelete === true,
            provider: typeof provider === "string" ? provider : undefined,
        };
        if (resource.type.startsWith(SNOWFLAKE_PREFIX) && isGrant(resource)) {
            const row = grantRow(resource);
            const privileges = row.privileges.split(", ").filter((privilege) => privilege !== "");
            for (const privilege of privileges.length === 0 ? ["ALL PRIVILEGES"] : privileges) {
                grants.push({ role: String(row.role), on: row.on, privilege });
            }
        }
        if (resource.type.startsWith("pulumi-nodejs:dynamic")) {
            if (resource.type === GRANT_TYPE) {
                // With its full securable (FUTURE AGENTS IN SCHEMA DB.S), so a moved agent location shows.
                for (const row of dynamicGrantRows(resource)) {
                    grants.push({ role: row.role, on: row.on, privilege: row.privileges });
                }
            }
            for (const grant of resource.type === GRANT_TYPE ? [] : grantsOf({ type: resource.type, name: resource.name, props: resource.inputs })) {
                for (const privilege of grant.privileges) {
                    const on = grant.objectType === "ROLE" ? grant.objectName : `${grant.objectType} ${grant.objectName}`.trim();
                    grants.push({ role: grant.grantee, on, privilege });
                }
            }
            for (const statement of statementsIn(resource.inputs)) {
                const body = procedureBody(statement.text);
                sql[`${resourceKind} ${resource.name}: ${statement.file}`] = body === undefined ? statement.text : procedureHeader(statement.text);
                if (body !== undefined) {
                    // The embedded statements are compared one by one; the rest of the body as Python.
                    const name = String(inputs.procedure ?? resource.name);
                    sql[`Procedure ${name} body`] = body.split("\n").filter((line) => !/^(STATEMENTS|SETTINGS)\.update\(/.test(line)).join("\n");
                    for (const [embedded, text] of Object.entries(embeddedStatements(body))) {
                        sql[`Procedure statement ${embedded} (${name.split(".").pop()})`] = text;
                    }
                }
            }
        }
        const sqlKey = ({ View: "statement", DynamicTable: "query", Task: "sqlStatement" } as Record<string, string>)[resourceKind];
        if (sqlKey !== undefined && typeof inputs[sqlKey] === "string") {
            sql[`${resourceKind} ${objectName(resource)}`] = inputs[sqlKey] as string;
        }
    }
    const viewerRole = typeof build.outputs.viewerRole === "string" ? [build.outputs.viewerRole] : [];
    const unique = new Map(grants.map((grant) => [stableJson(grant), grant]));
    return relocate({
        stack: build.stack,
        retention: retentionSettings(root, build.stack),
        viewerRoles: viewerRole,
        objects: Object.fromEntries(Object.keys(objects).sort().map((key) => [key, objects[key]])),
        grants: [...unique.values()].sort((a, b) => a.role.localeCompare(b.role) || a.on.localeCompare(b.on) ||
            a.privilege.localeCompare(b.privilege)),
        sql: Object.fromEntries(Object.keys(sql).sort().map((key) => [key, sql[key]])),
        violations: checkBuild(build),
        allowColumnChanges: buildSettings(build).allowColumnChanges,
    }, root);
}

/** The plan of a stack that does not exist yet at a revision: everything is added. */
export function emptyPlanModel(stack: string): PlanModel {
    return { stack, retention: {}, viewerRoles: [], objects: {}, grants: [], sql: {}, violations: [] };
}

// ---------------------------------------------------------------------------------------------

export type ChangeKind = "added" | "removed" | "replaced" | "changed";

export interface ObjectChange {
    readonly change: ChangeKind;
    readonly key: string;
    readonly kind: string;
    readonly name: string;
    readonly component: string;
    /** Inputs that differ (replacing ones first). */
    readonly properties: readonly string[];
    readonly replacing: readonly string[];
    /** For an uploaded file set (the dashboard's `files`, path -> SHA-256): which files differ. */
    readonly files?: { readonly added: readonly string[]; readonly removed: readonly string[]; readonly changed: readonly string[] };
}

/** The files of two `path -> hash` maps that were added, removed or changed; undefined when either is not such a map. */
export function fileChanges(before: unknown, after: unknown): ObjectChange["files"] {
    const isMap = (value: unknown): value is Record<string, string> => value !== null && typeof value === "object" &&
        !Array.isArray(value) && Object.values(value as object).every((hash) => typeof hash === "string");
    if (!isMap(before) || !isMap(after)) {
        return undefined;
    }
    return {
        added: Object.keys(after).filter((file) => !(file in before)).sort(),
        removed: Object.keys(before).filter((file) => !(file in after)).sort(),
        changed: Object.keys(after).filter((file) => file in before && before[file] !== after[file]).sort(),
    };
}

/** `files (changed: a.py; added: b.py)`: a changed file set named by its files. */
function describeFiles(files: NonNullable<ObjectChange["files"]>): string {
    const parts = (["changed", "added", "removed"] as const).filter((key) => files[key].length > 0)
        .map((key) => `${key}: ${files[key].join(", ")}`);
    return `files (${parts.join("; ")})`;
}

export interface SqlChange {
    readonly label: string;
    readonly diff: string;
}

export interface PlanDiff {
    readonly stack: string;
    readonly objects: readonly ObjectChange[];
    readonly grantsGained: readonly PlanGrant[];
    readonly grantsLost: readonly PlanGrant[];
    readonly sql: readonly SqlChange[];
    readonly retention: readonly { key: string; before?: string; after?: string }[];
    readonly risks: readonly string[];
    readonly violations: readonly Violation[];
    readonly changed: boolean;
}

/**
 * The user identity a view of the member's shared schema carries: the subject of its identity
 * CASE (sql/org/source_rows_*.sql), or named when it selects user columns without one.
 */
function sharedUserIdentity(object: PlanObject | undefined): string | undefined {
    const statement = object?.inputs.statement;
    if (object === undefined || object.inputs.schema !== ORG_SHARE_SCHEMA || typeof statement !== "string") {
        return undefined;
    }
    const mode = /\bCASE\s+'(none|pseudonymous|named)'/i.exec(statement)?.[1];
    return mode ?? (USER_IDENTITY_COLUMNS.some((column) => new RegExp(`\\b${column}\\b`).test(statement)) ? "named" : undefined);
}

/** What a dynamic resource's own provider says replaces; undefined if its code cannot be loaded. */
export type DynamicReplaces = (object: PlanObject, olds: Record<string, unknown>, news: Record<string, unknown>) =>
    Promise<string[] | undefined>;

/** Asks the serialized provider (the code the engine would run) for its diff. */
export const providerReplaces: DynamicReplaces = async (object, olds, news) => {
    if (object.provider === undefined) {
        return undefined;
    }
    try {
        const requireFromString = require(require.resolve("require-from-string",
            { paths: [path.dirname(require.resolve("@pulumi/pulumi"))] })) as (code: string) => { handler(): any };
        const provider = requireFromString(object.provider).handler();
        const result = await provider.diff("plan", olds, news);
        return result?.replaces ?? [];
    } catch {
        return undefined;
    }
};

function changedInputs(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
    return [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()
        .filter((key) => stableJson(before[key]) !== stableJson(after[key]));
}

export async function diffPlans(before: PlanModel, after: PlanModel,
                                dynamicReplaces: DynamicReplaces = providerReplaces): Promise<PlanDiff> {
    const objects: ObjectChange[] = [];
    for (const key of [...new Set([...Object.keys(before.objects), ...Object.keys(after.objects)])].sort()) {
        const old = before.objects[key];
        const now = after.objects[key];
        const shown = now ?? old;
        const base = { key, kind: shown.kind, name: shown.name, component: shown.component };
        if (old === undefined) {
            objects.push({ ...base, change: "added", properties: [], replacing: [] });
        } else if (now === undefined) {
            objects.push({ ...base, change: "removed", properties: [], replacing: [] });
        } else {
            const properties = changedInputs(old.inputs, now.inputs);
            const optionChanges = [old.protect !== now.protect ? "protect" : "", old.retainOnDelete !== now.retainOnDelete ? "retainOnDelete" : ""]
                .filter((option) => option !== "");
            if (properties.length === 0 && optionChanges.length === 0) {
                continue;
            }
            let replacing: string[];
            if (now.type.startsWith("pulumi-nodejs:dynamic")) {
                const reported = properties.length === 0 ? [] : await dynamicReplaces(now, old.inputs, now.inputs);
                replacing = reported ?? properties;
            } else {
                replacing = properties.filter((property) => replaceKeys(now.kind).includes(property));
            }
            const change: ChangeKind = replacing.length > 0 ? "replaced" : "changed";
            const files = properties.includes("files") ? fileChanges(old.inputs.files, now.inputs.files) : undefined;
            objects.push({
                ...base, change, replacing, properties: [...replacing, ...properties.filter((p) => !replacing.includes(p)), ...optionChanges],
                ...(files === undefined ? {} : { files }),
            });
        }
    }

    const grantKey = (grant: PlanGrant) => `${grant.role}\u0000${grant.on}\u0000${grant.privilege}`;
    const beforeGrants = new Set(before.grants.map(grantKey));
    const afterGrants = new Set(after.grants.map(grantKey));
    const grantsGained = after.grants.filter((grant) => !beforeGrants.has(grantKey(grant)));
    const grantsLost = before.grants.filter((grant) => !afterGrants.has(grantKey(grant)));

    const sql: SqlChange[] = [];
    for (const label of [...new Set([...Object.keys(before.sql), ...Object.keys(after.sql)])].sort()) {
        if (before.sql[label] !== after.sql[label]) {
            sql.push({ label, diff: unifiedDiff(before.sql[label], after.sql[label], label) });
        }
    }

    const retention = [...new Set([...Object.keys(before.retention), ...Object.keys(after.retention)])].sort()
        .filter((key) => before.retention[key] !== after.retention[key])
        .map((key) => ({ key, before: before.retention[key], after: after.retention[key] }));

    const risks: string[] = [];
    for (const change of objects) {
        const old = before.objects[change.key];
        const now = after.objects[change.key];
        if (DATA_KINDS.includes(change.kind) && (change.change === "removed" || change.change === "replaced")) {
            const verb = change.change === "removed" ? "drops" : `replaces (drops and recreates, on ${change.replacing.join(", ")})`;
            const guard = old?.protect ? "; it is protected, so the update will fail until it is unprotected" : "";
            risks.push(`${verb} ${change.kind} ${change.name}, which holds data${guard}`);
        }
        if (DATA_KINDS.includes(change.kind) && old !== undefined && now !== undefined &&
            (old.protect || old.retainOnDelete) && !(now.protect || now.retainOnDelete)) {
            risks.push(`removes the deletion protection of ${change.kind} ${change.name}`);
        }
        for (const property of change.properties.filter((p) => RETENTION_INPUTS.includes(p))) {
            risks.push(`changes ${property} of ${change.kind} ${change.name}: ` +
                `${stableJson(old?.inputs[property])} → ${stableJson(now?.inputs[property])}`);
        }
    }
    // A history table's columns against the revision's own: the provider drops a removed or renamed
    // column with its data, in place, whatever `protect` says (lib/historyColumns.ts).
    const columnViolations: Violation[] = [];
    for (const change of objects.filter((candidate) => candidate.change === "changed" && candidate.kind === "Table" &&
        candidate.properties.includes("columns"))) {
        const table = tableBaseName(after.objects[change.key].inputs.name);
        const olds = columnSpecs(before.objects[change.key].inputs.columns);
        const news = columnSpecs(after.objects[change.key].inputs.columns);
        if (!(table in HISTORY_TABLES) || olds === undefined || news === undefined) {
            continue;
        }
        for (const columnChange of columnChanges(table, olds, news)) {
            const message = columnChangeMessage(columnChange, after.allowColumnChanges);
            risks.push(message);
            if (!isAllowed(columnChange, after.allowColumnChanges)) {
                columnViolations.push({ policy: HISTORY_COLUMNS_RULE, type: after.objects[change.key].type,
                    resource: change.key.split("::").pop()!, message });
            }
        }
    }
    // How a member's share identifies users (wallmonitor:orgUserIdentity), when that changes.
    for (const change of objects.filter((candidate) => candidate.kind === "View" &&
        (candidate.change === "added" || candidate.properties.includes("statement")))) {
        const now = sharedUserIdentity(after.objects[change.key]);
        const old = change.change === "added" ? undefined : sharedUserIdentity(before.objects[change.key]);
        if (now !== undefined && now !== old) {
            risks.push(`changes how share view ${change.name} identifies users: ${old ?? "(not shared)"} → ${now}`);
        }
    }

    const seen = new Set(after.violations.map((violation) => stableJson(violation)));
    const violations = [...after.violations, ...columnViolations.filter((violation) => !seen.has(stableJson(violation)))]
        .sort((a, b) => a.policy.localeCompare(b.policy) || a.resource.localeCompare(b.resource) || a.message.localeCompare(b.message));

    const viewers = new Set([...before.viewerRoles, ...after.viewerRoles]);
    for (const grant of grantsGained.filter((candidate) => viewers.has(candidate.role))) {
        risks.push(`widens the viewer role: ${grant.role} gains ${grant.privilege} on ${grant.on}`);
    }
    for (const entry of retention) {
        risks.push(`changes retention: ${entry.key} ${entry.before ?? "(unset)"} → ${entry.after ?? "(unset)"}`);
    }

    return {
        stack: after.stack,
        objects,
        grantsGained,
        grantsLost,
        sql,
        retention,
        risks,
        violations,
        changed: objects.length > 0 || grantsGained.length > 0 || grantsLost.length > 0 || sql.length > 0 || retention.length > 0,
    };
}

// ---------------------------------------------------------------------------------------------

/** A unified diff (3 lines of context) of two texts; `undefined` is an absent file. */
export function unifiedDiff(before: string | undefined, after: string | undefined, label: string, context = 3): string {
    const a = before === undefined ? [] : before.split("\n");
    const b = after === undefined ? [] : after.split("\n");
    // Longest common subsequence table, from the end.
    const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
    for (let i = a.length - 1; i >= 0; i--) {
        for (let j = b.length - 1; j >= 0; j--) {
            lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
        }
    }
    const ops: { op: " " | "-" | "+"; line: string; ai: number; bi: number }[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
        if (i < a.length && j < b.length && a[i] === b[j]) {
            ops.push({ op: " ", line: a[i], ai: i++, bi: j++ });
        } else if (i < a.length && (j === b.length || lcs[i + 1][j] >= lcs[i][j + 1])) {
            ops.push({ op: "-", line: a[i], ai: i++, bi: j });
        } else {
            ops.push({ op: "+", line: b[j], ai: i, bi: j++ });
        }
    }
    const out = [`--- ${before === undefined ? "/dev/null" : `a/${label}`}`, `+++ ${after === undefined ? "/dev/null" : `b/${label}`}`];
    const changes = ops.map((op, index) => (op.op === " " ? -1 : index)).filter((index) => index >= 0);
    let k = 0;
    while (k < changes.length) {
        const start = Math.max(0, changes[k] - context);
        let end = Math.min(ops.length, changes[k] + context + 1);
        while (k + 1 < changes.length && changes[k + 1] - context <= end) {
            k++;
            end = Math.min(ops.length, changes[k] + context + 1);
        }
        k++;
        const hunk = ops.slice(start, end);
        const aLines = hunk.filter((op) => op.op !== "+").length;
        const bLines = hunk.filter((op) => op.op !== "-").length;
        const aStart = aLines === 0 ? hunk[0].ai : hunk[0].ai + 1;
        const bStart = bLines === 0 ? hunk[0].bi : hunk[0].bi + 1;
        // As GNU diff writes them: a count of 1 is left out.
        const range = (start: number, count: number) => (count === 1 ? `${start}` : `${start},${count}`);
        out.push(`@@ -${range(aStart, aLines)} +${range(bStart, bLines)} @@`, ...hunk.map((op) => `${op.op}${op.line}`));
    }
    return out.join("\n");
}

const CHANGE_ORDER: readonly ChangeKind[] = ["replaced", "removed", "added", "changed"];

/** The Markdown a pull request shows. `from`/`to` name the two revisions. */
export function renderPlanDiff(diff: PlanDiff, from: string, to: string): string {
    const count = (change: ChangeKind) => diff.objects.filter((object) => object.change === change).length;
    const out: string[] = [
        `# Wallmonitor plan diff for stack \`${diff.stack}\``, "",
        `From ${from} to ${to}. Offline: both revisions built on Pulumi's mock runtime.`, "",
    ];
    if (!diff.changed) {
        out.push("**No changes.**", "");
    } else {
        out.push(`**${diff.objects.length} object(s) differ**: ${count("added")} added, ${count("removed")} removed, ` +
            `${count("replaced")} replaced, ${count("changed")} changed; ${diff.grantsGained.length} grant(s) gained, ` +
            `${diff.grantsLost.length} lost; ${diff.sql.length} SQL text(s) changed.`, "");
    }
    out.push("## Risky changes", "");
    out.push(...(diff.risks.length === 0 ? ["None: no table holding data is replaced or dropped, no column of one dropped, renamed, " +
        "retyped or inserted mid-list, no grant widened to the viewer, no retention change."] : diff.risks.map((risk) => `- ⚠️ ${risk}`)), "");
    out.push("## Policy", "", ...policyLines(diff.violations), "");

    if (diff.objects.length > 0) {
        out.push("## Objects", "", "| change | kind | name | component | inputs |", "|---|---|---|---|---|");
        const sorted = [...diff.objects].sort((a, b) => CHANGE_ORDER.indexOf(a.change) - CHANGE_ORDER.indexOf(b.change) ||
            a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name) || a.key.localeCompare(b.key));
        for (const object of sorted) {
            const shown = (property: string) => (property === "files" && object.files !== undefined ? describeFiles(object.files) : property);
            const inputs = object.properties.map((property) =>
                (object.replacing.includes(property) ? `**${shown(property)}** (replaces)` : shown(property)));
            out.push(`| ${object.change} | ${object.kind} | ${object.name} | ${object.component} | ${inputs.join(", ")} |`);
        }
        out.push("");
    }
    if (diff.grantsGained.length + diff.grantsLost.length > 0) {
        out.push("## Grants", "");
        const roles = [...new Set([...diff.grantsGained, ...diff.grantsLost].map((grant) => grant.role))].sort();
        for (const role of roles) {
            out.push(`### ${role}`, "");
            for (const grant of diff.grantsGained.filter((candidate) => candidate.role === role)) {
                out.push(`- gained: ${grant.privilege} on ${grant.on}`);
            }
            for (const grant of diff.grantsLost.filter((candidate) => candidate.role === role)) {
                out.push(`- lost: ${grant.privilege} on ${grant.on}`);
            }
            out.push("");
        }
    }
    if (diff.sql.length > 0) {
        out.push("## SQL", "");
        for (const change of diff.sql) {
            out.push(`### ${change.label}`, "", "```diff", change.diff, "```", "");
        }
    }
    return `${out.join("\n").trimEnd()}\n`;
}

/** Exit status of `plan --against`: 0 nothing changed, 2 changed, 1 a policy violation (or an error). */
export function exitCode(diff: PlanDiff): number {
    return diff.violations.length > 0 ? 1 : diff.changed ? 2 : 0;
}
