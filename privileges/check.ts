import { OfflineBuild } from "../plan/offline";
import { kind, objectName } from "../plan/plan";
import { CollectedBuild, RunStatement } from "./collect";
import { DeclaredGrant, DEPLOYING_USER, Holdings, Ownership, plainName } from "./grants";
import {
    Classified, Classifier, describeRequirement, loadModel, normalize, ObjectCatalog, PrivilegeModel, Requirement,
} from "./classify";

/**
 * The privilege check: every statement each role runs (privileges/collect.ts), classified by the
 * model (privileges/model.json), against the grants the build declares, the objects each role
 * creates and therefore owns, the role hierarchy and the system roles' defaults. A statement
 * run by a role the build creates or a system-defined role is checked; a role the build only
 * names (a custom admin role) has prerequisites instead, which the README lists.
 */

export { DEPLOYING_USER } from "./grants";

export interface CheckedStatement {
    readonly statement: RunStatement;
    readonly classified: Classified;
}

export interface Gap {
    readonly role: string;
    readonly statement: RunStatement;
    readonly requirement: Requirement;
    readonly message: string;
}

export interface Analysis {
    readonly stack: string;
    readonly checked: readonly CheckedStatement[];
    readonly grants: readonly DeclaredGrant[];
    readonly owned: readonly Ownership[];
    readonly holdings: Holdings;
    /** Roles whose every privilege the build must provide: the ones it creates, and system roles by their defaults. */
    readonly checkedRoles: ReadonlySet<string>;
    readonly gaps: readonly Gap[];
    /** What a role outside the build (a custom admin role) must already hold. */
    readonly prerequisites: readonly Gap[];
    /** Refusals the code handles (a probe, a cleanup): reported, not failures. */
    readonly tolerated: readonly Gap[];
}

const RESOURCE_KINDS: Record<string, string> = {
    Table: "TABLE", View: "VIEW", DynamicTable: "DYNAMIC TABLE", Task: "TASK", Schema: "SCHEMA",
    Database: "DATABASE", SharedDatabase: "DATABASE", Warehouse: "WAREHOUSE", Share: "SHARE", AccountRole: "ROLE",
};

class BuildCatalog implements ObjectCatalog {
    private readonly kinds = new Map<string, string>();
    private readonly managed = new Set<string>();
    private readonly notifications = new Set<string>();
    private readonly secrets = new Map<string, string>();

    constructor(build: OfflineBuild) {
        for (const resource of build.resources) {
            const type = RESOURCE_KINDS[kind(resource.type)];
            if (type !== undefined) {
                this.kinds.set(objectName(resource) || String(resource.inputs.name), type);
            }
            if (kind(resource.type) === "Schema" && resource.inputs.withManagedAccess === "true") {
                this.managed.add(objectName(resource));
            }
        }
    }

    learn(classified: Classified, text: string): void {
        if (classified.creates !== undefined && !this.kinds.has(classified.creates.name)) {
            this.kinds.set(classified.creates.name, classified.creates.type);
        }
        if (classified.row.id === "create-integration" && / NOTIFICATION INTEGRATION /i.test(` ${normalize(text)} `)) {
            this.notifications.add(classified.creates!.name);
            const secret = classified.requirements.flatMap((requirement) => requirement.anyOf).find((alternative) => alternative.on?.type === "SECRET");
            if (secret?.on !== undefined) {
                this.secrets.set(classified.creates!.name, secret.on.name);
            }
        }
    }

    notificationIntegrations(): readonly string[] {
        return [...this.notifications].sort();
    }

    webhookSecret(integration: string): string | undefined {
        return this.secrets.get(integration);
    }

    kindOf(name: string): string | undefined {
        return this.kinds.get(name);
    }

    managedAccess(schema: string): boolean {
        return this.managed.has(schema);
    }
}

export interface AnalyseOptions {
    /** Declared grants (by id and statement) to leave out: the mutation test's one removed grant. */
    readonly without?: (grant: DeclaredGrant) => boolean;
    readonly model?: PrivilegeModel;
}

/** Classifies every statement; ownership and grants come from the same collection. */
export function analyse(build: OfflineBuild, collected: CollectedBuild, options: AnalyseOptions = {}): Analysis {
    const model = options.model ?? loadModel();
    const catalog = new BuildCatalog(build);
    const firstPass = new Classifier(model, catalog);
    for (const statement of collected.statements) {
        catalog.learn(firstPass.classify(statement.text, statement.schema), statement.text);
    }
    const classifier = new Classifier(model, catalog);
    const checked = collected.statements.map((statement) => ({ statement, classified: classifier.classify(statement.text, statement.schema) }));
    const owned: Ownership[] = checked.filter(({ classified }) => classified.creates !== undefined)
        .map(({ statement, classified }) => ({ role: statement.role, object: classified.creates! }));
    // The bootstrap identity holds the admin role, which creates the roles; the deploy identity holds what the
    // build grants to deployUser (GRANT ROLE ... TO USER, among the declared grants). No one needs parentRole.
    const adminRole = collected.statements.find((statement) => /^CREATE ROLE /i.test(statement.text))?.role;
    const userRoles = new Set(adminRole === undefined ? [] : [adminRole]);
    const userGrants: DeclaredGrant[] = [...userRoles].map((role) => ({
        id: `${DEPLOYING_USER} holds ${role}`, grantee: DEPLOYING_USER, privileges: [], role, statement: `GRANT ROLE ${role} TO USER (the deploying user)`,
    }));
    const grants = collected.grants.filter((grant) => !(options.without?.(grant) ?? false));
    const holdings = new Holdings(model, [...grants, ...userGrants], owned);
    const created = new Set(build.resources.filter((resource) => kind(resource.type) === "AccountRole").map((resource) => String(resource.inputs.name)));
    const checkedRoles = new Set([...created, ...Object.keys(model.systemRoles.roles), DEPLOYING_USER]);
    const gaps: Gap[] = [];
    const prerequisites: Gap[] = [];
    const tolerated: Gap[] = [];
    for (const { statement, classified } of checked) {
        const runner = classified.row.user ? DEPLOYING_USER : statement.role;
        for (const requirement of classified.requirements) {
            if (requirement.anyOf.some((alternative) => holdings.satisfies(runner, alternative))) {
                continue;
            }
            const code = normalize(statement.text);
            const gap = {
                role: runner,
                statement,
                requirement,
                message: `${statement.source}: \`${code.length > 160 ? `${code.slice(0, 160)}…` : code}\` as ${runner === DEPLOYING_USER ? runner : `role ${runner}`} ` +
                    `needs ${describeRequirement(requirement)} (${requirement.url})`,
            };
            (!checkedRoles.has(runner) ? prerequisites : statement.tolerated !== undefined ? tolerated : gaps).push(gap);
        }
    }
    return { stack: build.stack, checked, grants, owned, holdings, checkedRoles, gaps, prerequisites, tolerated };
}

/** The grants whose removal the check must notice: every grant to a role (a share's grants serve the consuming account). */
export function roleGrants(analysis: Analysis): DeclaredGrant[] {
    return analysis.grants.filter((grant) => !grant.grantee.startsWith("SHARE "));
}

/**
 * For each declared role grant (by id: a resource, or a dynamic resource's grant statement with
 * its fallbacks), the gaps its removal opens, and the refusals it opens where the code handles
 * them (a probe, a path this stack does not take); both empty means no statement Wallmonitor runs needs it.
 */
export function mutate(build: OfflineBuild, collected: CollectedBuild, baseline: Analysis):
    Map<string, { grants: DeclaredGrant[]; gaps: Gap[]; tolerated: Gap[] }> {
    const before = new Set([...baseline.gaps, ...baseline.tolerated].map((gap) => gap.message));
    const result = new Map<string, { grants: DeclaredGrant[]; gaps: Gap[]; tolerated: Gap[] }>();
    for (const grant of roleGrants(baseline)) {
        const entry = result.get(grant.id) ?? { grants: [], gaps: [], tolerated: [] };
        entry.grants.push(grant);
        result.set(grant.id, entry);
    }
    for (const [id, entry] of result) {
        // An ALL grant and its FUTURE twin are one decision (existing objects and those created later): they go together.
        const twins = (candidate: DeclaredGrant) => entry.grants.some((grant) => grant.on?.kind !== "object" && candidate.on?.kind !== "object" &&
            grant.on !== undefined && candidate.on !== undefined && grant.grantee === candidate.grantee &&
            grant.on.objectType === candidate.on.objectType && grant.on.in.name === candidate.on.in.name &&
            grant.privileges.join() === candidate.privileges.join());
        const mutated = analyse(build, collected, { without: (candidate) => candidate.id === id || twins(candidate) });
        entry.gaps.push(...mutated.gaps.filter((gap) => !before.has(gap.message)));
        entry.tolerated.push(...mutated.tolerated.filter((gap) => !before.has(gap.message)));
    }
    return result;
}

/** How the README names a stack's roles and objects, so several stacks read as one list. */
export interface Placeholders {
    readonly roles: Record<string, string>;
    readonly names: [string, string][];
}

export function placeholders(analysis: Analysis): Placeholders {
    const app = analysis.checked.find(({ classified }) => classified.row.id === "create-streamlit");
    const appText = app === undefined ? "" : plainName(app.statement.text);
    const schema = /STREAMLIT (\S+)\.[^.\s]+ /.exec(appText)?.[1];
    const warehouse = /QUERY_WAREHOUSE = (\S+)/.exec(appText)?.[1];
    const owner = app?.statement.role;
    const viewer = analysis.checked.find(({ classified }) => classified.row.id === "open-streamlit")?.statement.role;
    const admin = analysis.checked.find(({ classified }) => classified.row.id === "create-role")?.statement.role;
    const roles: Record<string, string> = {};
    if (admin !== undefined) {
        roles[admin] = "admin role (`adminRole`): the bootstrap identity's";
    }
    if (owner !== undefined) {
        roles[owner] = "owner role (`ownerRole`): the deploy identity's, granted to `deployUser` only";
    }
    // The other role granted to the deploy user: what a monitoring stack creates account-level objects with.
    for (const grant of analysis.grants.filter((candidate) => /^GRANT ROLE \S+ TO USER /.test(candidate.statement) && candidate.role !== owner)) {
        roles[grant.role!] = "deploy admin role (`deployAdminRole`): the deploy identity's, for the account-level objects of a monitoring stack";
    }
    if (viewer !== undefined) {
        roles[viewer] = "viewer role (`viewerRole`)";
    }
    const names: [string, string][] = [];
    if (schema !== undefined) {
        const [database, schemaName] = schema.split(".");
        names.push([`${database}.${schemaName}`, "<database>.<schema>"], [database, "<database>"]);
    }
    if (warehouse !== undefined) {
        names.push([warehouse, "<warehouse>"]);
    }
    for (const role of [owner, viewer].filter((role): role is string => role !== undefined)) {
        names.push([role, role === owner ? "<ownerRole>" : "<viewerRole>"]);
    }
    for (const grant of analysis.grants.filter((candidate) => candidate.privileges.includes("IMPORTED PRIVILEGES"))) {
        if (grant.on?.kind === "object") {
            names.push([grant.on.object.name, "<member database>"]);
        }
    }
    return { roles, names: names.sort((a, b) => b[0].length - a[0].length) };
}

function generalize(text: string, names: [string, string][]): string {
    let out = text;
    for (const [name, placeholder] of names) {
        out = out.replace(new RegExp(`(?<![A-Z0-9_$])${name.replace(/[.$]/g, "\\$&")}(?![A-Z0-9_$])`, "g"), placeholder);
    }
    // One line for all objects of a kind in one schema; SNOWFLAKE's own objects keep their names.
    return out.replace(/(?<![A-Za-z0-9_$.<>])((?!SNOWFLAKE\.)[A-Za-z0-9_<>$]+(?: [a-z]+>)?\.[A-Za-z0-9_<>$]+)\.[A-Z0-9_$]+(?![A-Za-z0-9_$.])/g, "$1.<object>");
}

/** How a satisfied requirement is held: which alternative, and through what. */
function heldThrough(analysis: Analysis, role: string, requirement: Requirement, tolerated: string | undefined): string {
    const alternative = requirement.anyOf.find((candidate) => analysis.holdings.satisfies(role, candidate));
    if (alternative === undefined) {
        return tolerated !== undefined ? `missing, tolerated: ${tolerated}`
            : analysis.checkedRoles.has(role) ? "**missing**" : "prerequisite (not granted by Wallmonitor)";
    }
    if (alternative.role !== undefined) {
        return analysis.holdings.isSystemRole(alternative.role) ? `is ${alternative.role}` : `role grant`;
    }
    const on = alternative.on!;
    if (analysis.owned.some((ownership) => analysis.holdings.closure(role).has(ownership.role) && ownership.object.name === on.name)) {
        return "ownership";
    }
    if (analysis.holdings.isSystemRole(role)) {
        return `${role} default`;
    }
    return "grant";
}

/**
 * The README block: for each role, every privilege Wallmonitor needs, why (the statement kinds
 * that need it) and the documentation page, over the given stacks' analyses.
 */
export function renderMarkdown(analyses: readonly Analysis[]): string {
    const model = loadModel();
    interface Line { need: string; why: Set<string>; held: Set<string>; stacks: Set<string>; url: string; open: boolean }
    const byRole = new Map<string, Map<string, Line>>();
    for (const analysis of analyses) {
        const { roles, names } = placeholders(analysis);
        roles[DEPLOYING_USER] = "deploying users (the bootstrap identity holds `adminRole`; the deploy identity holds the roles granted to `deployUser`)";
        for (const { statement, classified } of analysis.checked) {
            const runner = classified.row.user ? DEPLOYING_USER : statement.role;
            const label = roles[runner] ?? `role ${runner}`;
            for (const requirement of classified.requirements) {
                const need = generalize(describeRequirement(requirement), names);
                const lines = byRole.get(label) ?? new Map<string, Line>();
                byRole.set(label, lines);
                const line = lines.get(need) ?? { need, why: new Set(), held: new Set(), stacks: new Set(), url: requirement.url, open: false };
                lines.set(need, line);
                line.why.add(classified.row.id === requirement.row ? classified.row.id : `${classified.row.id} → ${requirement.row}`);
                line.held.add(heldThrough(analysis, runner, requirement, statement.tolerated));
                line.stacks.add(analysis.stack);
                line.open ||= requirement.open;
            }
        }
    }
    const stacks = analyses.map((analysis) => analysis.stack);
    const out = [
        `Generated by \`npm run privileges -- --markdown\` from \`privileges/model.json\` over the stacks ${stacks.join(", ")}; ` +
        "do not edit by hand. Each line: a privilege (or one of several that suffice), the kinds of statement that need it " +
        "(rows of the model), how the role holds it, and Snowflake's page. `<database>.<schema>.<object>` is any object in " +
        "Wallmonitor's schema; [open] marks a fact no public source settles (the doctor checks it live).",
        "",
    ];
    const order = (label: string) => ["deploying", "admin", "owner", "viewer"].findIndex((prefix) => label.startsWith(prefix));
    for (const label of [...byRole.keys()].sort((a, b) => (order(a) === -1 ? 9 : order(a)) - (order(b) === -1 ? 9 : order(b)) || a.localeCompare(b))) {
        out.push(`#### ${label[0].toUpperCase()}${label.slice(1)}`, "", "| needs | for | held through | stacks | docs |", "|---|---|---|---|---|");
        for (const line of [...byRole.get(label)!.values()].sort((a, b) => a.need.localeCompare(b.need))) {
            const only = line.stacks.size === stacks.length ? "all" : [...line.stacks].sort().join(", ");
            out.push(`| ${line.need.replace(/\|/g, "\\|")}${line.open ? " [open]" : ""} | ${[...line.why].sort().join(", ")} | ` +
                `${[...line.held].sort().join("; ")} | ${only} | [docs](${line.url}) |`);
        }
        out.push("");
    }
    out.push("Facts no public source settles, and the read-only statement that settles each on a live account:", "");
    for (const open of model.openChecks) {
        out.push(`- ${open.fact} \`${open.check}\``);
    }
    return `${out.join("\n").trimEnd()}\n`;
}
