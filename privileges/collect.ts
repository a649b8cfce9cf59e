import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

import { INGEST_PATHS } from "../lib/config/stack";
import { OfflineBuild, PROJECT_ROOT, RecordedResource } from "../plan/offline";
import { embeddedStatements, kind, objectName, SNOWFLAKE_PREFIX } from "../plan/plan";
import { aiObservabilityAccessKind, aiObservabilityAccessStatements } from "../provider/aiObservabilityAccess";
import type { Row, Session } from "../provider/connection";
import { emailIntegrationKind, emailIntegrationStatements } from "../provider/emailIntegration";
import { grantKind, grantStatements } from "../provider/grant";
import { procedureBody, procedureKind, procedureStatements } from "../provider/procedure";
import type { ResourceKind } from "../provider/resource";
import type { Statement } from "../provider/statements";
import { streamlitFromFolderKind, streamlitFromFolderStatements } from "../provider/streamlitFromFolder";
import { streamlitFromGitKind, streamlitFromGitStatements } from "../provider/streamlitFromGit";
import { webhookIntegrationKind, webhookIntegrationStatements } from "../provider/webhookIntegration";
import { DeclaredGrant, DEPLOYING_USER, GrantTarget, plainName, singular } from "./grants";

/**
 * Every statement each role runs, collected from an offline build: what Pulumi's Snowflake
 * provider sends for each resource, what Wallmonitor's dynamic provider sends (found by running
 * each resource kind's create, read, update and delete against a recording session, so every
 * statement carries the role the session really had), procedure bodies and task bodies as the
 * owner, what Snowflake checks when a task runs or a dynamic table refreshes, and the dashboard's
 * queries as the app's owner. Plus the grants the build declares, read from the same resources.
 */

export interface RunStatement {
    /** The role whose privileges Snowflake checks. */
    readonly role: string;
    readonly text: string;
    /** Where it comes from: the resource, procedure or page. */
    readonly source: string;
    /** The schema an unqualified name is in (a procedure's own). */
    readonly schema?: string;
    /** Why a refusal here does not fail Wallmonitor (a probe, a best-effort cleanup); absent when it must succeed. */
    readonly tolerated?: string;
    /** A dynamic resource's statement no recorded step ran: its role is the session's, a guess the test refuses. */
    readonly unreached?: boolean;
}

/** A source of statements beyond the build's resources. The doctor's read-only checks join `STATEMENT_SOURCES` as one more. */
export interface StatementSource {
    collect(build: OfflineBuild, context: BuildContext): RunStatement[];
}

export interface BuildContext {
    /** What the dynamic provider runs, each statement with its role (the dashboard's app owner is found there). */
    readonly dynamicStatements: readonly RunStatement[];
}

function providerRoles(build: OfflineBuild): (resource: RecordedResource) => string {
    const providers = build.resources.filter((resource) => resource.type === "pulumi:providers:snowflake");
    return (resource) => {
        const provider = providers.find((candidate) => resource.provider?.includes(`::${candidate.name}::`));
        if (typeof provider?.inputs.role !== "string") {
            throw new Error(`${resource.type} ${resource.name} has no Snowflake provider with an explicit role`);
        }
        return provider.inputs.role;
    };
}

const inputs = (resource: RecordedResource) => resource.inputs as Record<string, any>;

/** The Snowflake object kind of each resource Pulumi's provider manages, as ALTER and DROP name it. */
const OBJECT_KINDS: Record<string, string> = {
    Database: "DATABASE", SharedDatabase: "DATABASE", Warehouse: "WAREHOUSE", AccountRole: "ROLE", Schema: "SCHEMA", Table: "TABLE",
    View: "VIEW", DynamicTable: "DYNAMIC TABLE", Task: "TASK", Share: "SHARE",
};

/** Create, update (ALTER) and destroy (DROP), each as the provider's role: what `pulumi up` and `destroy` run for a resource. */
function resourceStatements(resource: RecordedResource, role: string): RunStatement[] {
    const objectKind = OBJECT_KINDS[kind(resource.type)];
    if (objectKind === undefined) {
        throw new Error(`No privilege statement for ${resource.type}: describe what Pulumi's provider runs for it in ` +
            "privileges/collect.ts and model.json.");
    }
    const name = objectName(resource) || String(inputs(resource).name);
    const source = `${kind(resource.type)} ${name}`;
    return [
        ...createStatements(resource, role),
        { role, text: `ALTER ${objectKind} ${name} SET COMMENT = ''`, source: `${source} (update)` },
        { role, text: `DROP ${objectKind} IF EXISTS ${name}`, source: `${source} (destroy or replace)` },
    ];
}

/** The statement Pulumi's Snowflake provider runs to create a resource, and what it implies at run time. */
function createStatements(resource: RecordedResource, role: string): RunStatement[] {
    const args = inputs(resource);
    const name = objectName(resource);
    const source = `${kind(resource.type)} ${name || resource.name}`;
    const as = (text: string, asRole = role, from = source): RunStatement => ({ role: asRole, text, source: from });
    switch (kind(resource.type)) {
        case "Database":
            return [as(`CREATE DATABASE ${name}`)];
        case "SharedDatabase":
            return [as(`CREATE DATABASE ${args.name} FROM SHARE ${args.fromShare}`)];
        case "Warehouse":
            return [as(`CREATE WAREHOUSE ${name}`)];
        case "AccountRole":
            return [as(`CREATE ROLE ${name}`)];
        case "Schema":
            return [as(`CREATE SCHEMA ${name}${args.withManagedAccess === "true" ? " WITH MANAGED ACCESS" : ""}`)];
        case "Table":
            return [as(`CREATE TABLE ${name}`)];
        case "View":
            return [as(`CREATE ${args.isSecure === "true" ? "SECURE " : ""}VIEW ${name} AS ${args.statement}`)];
        case "DynamicTable":
            return [
                as(`CREATE DYNAMIC TABLE ${name} WAREHOUSE = ${args.warehouse} AS ${args.query}`),
                as(`REFRESH DYNAMIC TABLE ${name} WAREHOUSE = ${args.warehouse} AS ${args.query}`, role, `${source} (scheduled refresh)`),
            ];
        case "Task": {
            const compute = typeof args.warehouse === "string" ? `WAREHOUSE = ${args.warehouse}` : "SERVERLESS";
            // A root may send its errors to a queue integration (wallmonitor:taskErrorIntegration).
            const errors = typeof args.errorIntegration === "string" ? ` ERROR_INTEGRATION = ${args.errorIntegration}` : "";
            // Creating or changing a child task suspends its graph's root and resumes it after (the
            // Terraform provider's SuspendRootTasks, sdk/tasks_impl_gen.go at v1.2.1).
            const roots: string[] = (args.afters ?? []).map((after: string) => plainName(after));
            return [
                ...roots.flatMap((root) => [as(`ALTER TASK ${root} SUSPEND`, role, `${source} (suspends its root)`),
                    as(`ALTER TASK ${root} RESUME`, role, `${source} (resumes its root)`)]),
                as(`CREATE TASK ${name} ${compute}${errors}`),
                ...(args.started === true ? [as(`ALTER TASK ${name} RESUME`)] : []),
                as(`RUN TASK ${name} ${compute}`, role, `${source} (each run)`),
                as(args.sqlStatement, role, `${source} body`),
            ];
        }
        case "Share":
            return [as(`CREATE SHARE ${args.name}`)];
        default:
            return [];
    }
}

/** The grant a Grant* resource declares, with the statement Pulumi's provider sends for it. */
export function resourceGrant(resource: RecordedResource): DeclaredGrant | undefined {
    const args = inputs(resource);
    const id = resource.name;
    const privileges: string[] = args.privileges ?? [];
    const list = privileges.join(", ");
    switch (kind(resource.type)) {
        case "GrantAccountRole":
            // A role granted to a user: the deploy user (components/access.ts), whose roles the check holds as the deploying user's.
            return typeof args.userName === "string"
                ? { id, grantee: DEPLOYING_USER, privileges: [], role: args.roleName, statement: `GRANT ROLE ${args.roleName} TO USER ${args.userName}` }
                : { id, grantee: args.parentRoleName, privileges: [], role: args.roleName, statement: `GRANT ROLE ${args.roleName} TO ROLE ${args.parentRoleName}` };
        case "GrantDatabaseRole": {
            const role = plainName(args.databaseRoleName);
            return { id, grantee: args.parentRoleName, privileges: [], role, statement: `GRANT DATABASE ROLE ${role} TO ROLE ${args.parentRoleName}` };
        }
        case "GrantApplicationRole": {
            const role = plainName(args.applicationRoleName);
            return { id, grantee: args.parentAccountRoleName, privileges: [], role,
                statement: `GRANT APPLICATION ROLE ${role} TO ROLE ${args.parentAccountRoleName}` };
        }
        case "GrantPrivilegesToShare": {
            const [objectType, objectName] = (["onDatabase", "onSchema", "onView", "onTable"] as const)
                .filter((key) => typeof args[key] === "string")
                .map((key) => [key.slice(2).toUpperCase(), plainName(args[key])])[0];
            return { id, grantee: `SHARE ${args.toShare}`, privileges, on: { kind: "object", object: { type: objectType, name: objectName } },
                statement: `GRANT ${list} ON ${objectType} ${objectName} TO SHARE ${args.toShare}` };
        }
        case "GrantPrivilegesToAccountRole": {
            const grantee: string = args.accountRoleName;
            const grant = (on: GrantTarget, clause: string): DeclaredGrant =>
                ({ id, grantee, privileges, on, statement: `GRANT ${list} ON ${clause} TO ROLE ${grantee}` });
            if (args.onAccount) {
                return grant({ kind: "object", object: { type: "ACCOUNT", name: "" } }, "ACCOUNT");
            }
            if (args.onAccountObject) {
                const object = { type: String(args.onAccountObject.objectType).toUpperCase(), name: plainName(args.onAccountObject.objectName) };
                return grant({ kind: "object", object }, `${object.type} ${object.name}`);
            }
            if (args.onSchema?.schemaName) {
                const name = plainName(args.onSchema.schemaName);
                return grant({ kind: "object", object: { type: "SCHEMA", name } }, `SCHEMA ${name}`);
            }
            const onObject = args.onSchemaObject;
            for (const scope of ["all", "future"] as const) {
                const bulk = onObject?.[scope];
                if (bulk !== undefined) {
                    const container = bulk.inSchema !== undefined ? { type: "SCHEMA", name: plainName(bulk.inSchema) }
                        : { type: "DATABASE", name: plainName(bulk.inDatabase) };
                    return grant({ kind: scope, objectType: singular(bulk.objectTypePlural), in: container },
                        `${scope.toUpperCase()} ${String(bulk.objectTypePlural).toUpperCase()} IN ${container.type} ${container.name}`);
                }
            }
            if (onObject?.objectType !== undefined) {
                const object = { type: String(onObject.objectType).toUpperCase(), name: plainName(onObject.objectName) };
                return grant({ kind: "object", object }, `${object.type} ${object.name}`);
            }
            throw new Error(`${resource.name}: a grant form privileges/collect.ts does not read yet`);
        }
        default:
            return undefined;
    }
}

/** A grant statement a dynamic resource runs, as a declared grant. */
export function statementGrant(id: string, text: string): DeclaredGrant | undefined {
    const code = plainName(text);
    const role = /^GRANT (DATABASE ROLE|APPLICATION ROLE|ROLE) (\S+) TO ROLE (\S+)$/.exec(code);
    if (role !== null) {
        return { id, grantee: role[3], privileges: [], role: role[2], statement: code };
    }
    const privilege = /^GRANT (.+?) ON (DATABASE|SCHEMA|WAREHOUSE|VIEW|TABLE|DYNAMIC TABLE|STREAMLIT|INTEGRATION|PROCEDURE|STAGE|AGENT|SECRET) (\S+) TO ROLE (\S+)$/.exec(code);
    if (privilege !== null) {
        return { id, grantee: privilege[4], privileges: privilege[1].split(/\s*,\s*/),
            on: { kind: "object", object: { type: privilege[2], name: privilege[3] } }, statement: code };
    }
    const bulk = /^GRANT (.+?) ON (ALL|FUTURE) ([A-Z ]+) IN (SCHEMA|DATABASE) (\S+) TO ROLE (\S+)$/.exec(code);
    if (bulk !== null) {
        return { id, grantee: bulk[6], privileges: bulk[1].split(/\s*,\s*/),
            on: { kind: bulk[2].toLowerCase() as "all" | "future", objectType: singular(bulk[3]), in: { type: bulk[4], name: bulk[5] } }, statement: code };
    }
    const account = /^GRANT (.+?) ON ACCOUNT TO ROLE (\S+)$/.exec(code);
    if (account !== null) {
        return { id, grantee: account[2], privileges: account[1].split(/\s*,\s*/), on: { kind: "object", object: { type: "ACCOUNT", name: "" } }, statement: code };
    }
    if (/^GRANT\b/.test(code)) {
        throw new Error(`${id}: a GRANT form privileges/collect.ts does not read: ${code}`);
    }
    return undefined;
}

/**
 * Every dynamic resource kind, by the type name its resources register, with the statements its
 * inputs hold that the kind can run (its own listing: a statement it never runs with these inputs,
 * such as the bind-history check without a secret, is not one). Each is driven the same way, whatever its inputs.
 */
const DYNAMIC_KINDS: Record<string, { kind: ResourceKind<any, any>; statements: (inputs: any) => Statement[] }> = {
    AiObservabilityAccess: { kind: aiObservabilityAccessKind, statements: aiObservabilityAccessStatements },
    EmailIntegration: { kind: emailIntegrationKind, statements: emailIntegrationStatements },
    Grant: { kind: grantKind, statements: grantStatements },
    Procedure: { kind: procedureKind, statements: procedureStatements },
    StreamlitFromFolder: { kind: streamlitFromFolderKind, statements: streamlitFromFolderStatements },
    StreamlitFromGit: { kind: streamlitFromGitKind, statements: streamlitFromGitStatements },
    WebhookIntegration: { kind: webhookIntegrationKind, statements: webhookIntegrationStatements },
};

type SqlFailure = Parameters<Parameters<Session["tryRun"]>[1]>[0];

/** How a recording session answers a statement whose refusal the code tolerates: to reach the fallbacks too. */
type Refusals = "none" | "all" | "first";

/** A session that records each statement with the role in effect. */
class RecordingSession implements Session {
    readonly log: { role: string; statement: Statement; tolerated?: string }[] = [];
    private refused = 0;

    constructor(public role: string, private readonly refusals: Refusals) {}

    async run(statement: Statement): Promise<Row[]> {
        const code = plainName(statement.text);
        this.log.push({ role: this.role, statement });
        const use = /^USE ROLE (\S+)$/.exec(code);
        if (use !== null) {
            this.role = use[1];
        }
        if (/^PUT /.test(code)) {
            return [{ status: "UPLOADED" }];
        }
        // SHOW PARAMETERS LIKE 'NAME' answers FALSE: the only value under which a secret is bound
        // (ALLOW_BIND_VALUES_ACCESS, provider/bindHistory.ts), so the statements after the guard are recorded too.
        const parameter = /^SHOW PARAMETERS LIKE '([^']+)'/.exec(code);
        if (parameter !== null) {
            return [{ key: parameter[1], value: "false" }];
        }
        // SHOW ... LIKE 'NAME' finds the object, so a read goes on to what it reads next.
        const shown = /^SHOW .* LIKE '([^']+)'/.exec(code);
        return shown === null ? [] : [{ name: shown[1] }];
    }

    async tryRun(statement: Statement, tolerated: (failure: SqlFailure) => boolean): Promise<{ rows: Row[] } | { failure: SqlFailure }> {
        const failure: SqlFailure = { code: "002003", sqlState: "02000", message: "does not exist or not authorized (recorded)" };
        const reason = "the provider tolerates its refusal (tryRun): a probe, a fallback or a drop of what may be gone";
        const refuse = this.refusals === "all" || (this.refusals === "first" && this.refused === 0);
        if (refuse && !/^USE /.test(plainName(statement.text)) && tolerated(failure)) {
            this.refused += 1;
            this.log.push({ role: this.role, statement, tolerated: reason });
            return { failure };
        }
        const rows = await this.run(statement);
        this.log[this.log.length - 1] = { ...this.log[this.log.length - 1], tolerated: reason };
        return { rows };
    }
}

/** Runs a dynamic resource's create, read, update and delete against recording sessions; every statement with its role. */
async function dynamicStatements(resource: RecordedResource): Promise<RunStatement[]> {
    const typeName = resource.type.split(":").pop()!;
    const resourceKind = DYNAMIC_KINDS[typeName]?.kind;
    if (resourceKind === undefined) {
        throw new Error(`No privilege collection for dynamic resource ${resource.type}: add its kind to privileges/collect.ts.`);
    }
    const resolved = resource.inputs as Record<string, unknown>;
    const recorded: { role: string; statement: Statement; tolerated?: string }[] = [];
    for (const refusals of ["none", "all", "first"] as const) {
        const open = () => new RecordingSession(resourceKind.session(resolved).role!, refusals);
        const undo: Statement[] = [];
        const creating = open();
        let outs: Record<string, unknown> = resolved;
        try {
            outs = (await resourceKind.create(creating, resolved, { onFailure: (statement) => undo.push(statement) })).outs;
        } finally {
            recorded.push(...creating.log);
        }
        // A create that fails after its last step undoes its steps, newest first, in the same session (resource.ts cleanUp).
        const cleanup = new RecordingSession(creating.role, "none");
        for (const statement of [...undo].reverse()) {
            await cleanup.run(statement);
        }
        recorded.push(...cleanup.log.map((entry) => ({ ...entry, tolerated: "cleanup after a failed create; what it cannot undo is reported" })));
        const steps: ((session: Session) => Promise<unknown>)[] = [
            (session) => resourceKind.read(session, "id", outs),
            // Every property alone, then all at once: each branch of an update.
            ...[...Object.keys(resourceKind.properties).map((property) => [property]), Object.keys(resourceKind.properties)]
                .map((changed) => (session: Session) => resourceKind.update(session, "id", outs, resolved, changed)),
            (session) => resourceKind.delete(session, "id", outs),
        ];
        for (const step of steps) {
            const session = open();
            try {
                await step(session);
            } catch {
                // A step that needs a live answer the recording cannot give stops there; what ran is recorded.
            }
            recorded.push(...session.log);
        }
    }
    const source = `${typeName} ${resource.name}`;
    const byText = new Map<string, RunStatement>();
    for (const { role, statement, tolerated } of recorded) {
        const key = `${role}\n${statement.text}`;
        // Must succeed if any path needs it to.
        const previous = byText.get(key);
        const stillTolerated = previous === undefined ? tolerated : previous.tolerated !== undefined && tolerated !== undefined ? previous.tolerated : undefined;
        byText.set(key, { role, text: statement.text, source: `${source} (${statement.file})`, tolerated: stillTolerated });
    }
    // A statement no step reached (a file removed since the last upload) runs where the statements
    // rendered from the same template ran; with none, its role is unknown and the test says so.
    const sessionRole = resourceKind.session(resolved).role!;
    for (const statement of DYNAMIC_KINDS[typeName].statements(resolved)) {
        if ([...byText.values()].some((entry) => entry.text === statement.text)) {
            continue;
        }
        const sibling = recorded.find((entry) => entry.statement.file === statement.file);
        const role = sibling?.role ?? sessionRole;
        byText.set(`${role}\n${statement.text}`, { role, text: statement.text, source: `${source} (${statement.file})`,
            tolerated: sibling?.tolerated, unreached: sibling === undefined });
    }
    return [...byText.values()];
}

/**
 * The statements a Procedure resource's body embeds (provider/procedure.ts): EXECUTE AS OWNER, so
 * each runs as the role that created the procedure, with the procedure's schema for unqualified names.
 */
function procedureBodyStatements(resource: RecordedResource, ingestPaths: ReadonlySet<string>): RunStatement[] {
    if (resource.type.split(":").pop() !== "Procedure") {
        return [];
    }
    const args = inputs(resource);
    const header = plainName(String(args.create?.text ?? "").split("$$")[0]);
    if (!/\bEXECUTE AS OWNER\b/.test(header)) {
        throw new Error(`Procedure ${args.procedure} does not run as its owner: the privilege check needs to know who calls it`);
    }
    const schema = String(args.procedure).split(".").slice(0, 2).join(".");
    const embedded = embeddedStatements(procedureBody(String(args.create.text)));
    const tolerated = (statement: string, text: string): string | undefined => {
        if (PER_AGENT_ONLY.test(text) && !AGENT_BY_AGENT_PATHS.some((path) => ingestPaths.has(path))) {
            return `run only on the per-agent ingest path; this stack's refresh task calls ${[...ingestPaths].join(", ") || "no ingest path"}, ` +
                "so Snowflake never runs it (a manual CALL with 'per_agent' would be refused)";
        }
        if (statement === SHOW_AGENTS && embedded[REGISTER_FROM_EVENTS] !== undefined) {
            return "SHOW AGENTS lists only the agents the owner holds a privilege on, with no error " +
                "(https://docs.snowflake.com/en/sql-reference/sql/show-agents); agents also register from their events " +
                `(${REGISTER_FROM_EVENTS}, through the event table's reader role), so it only adds the ones it can see`;
        }
        if (VERSION_SNAPSHOT.includes(statement)) {
            return "the version snapshot skips an agent the owner holds no privilege on and reports it in the discovery " +
                "result (procedures/ingestion.py snapshot_versions); that agent's versions then come from its events alone";
        }
        return undefined;
    };
    return Object.entries(embedded).sort()
        .map(([statement, text]) => ({ role: String(args.ownerRole), text, source: `Procedure ${args.procedure} statement ${statement}`, schema,
            tolerated: tolerated(statement, text) }));
}

/** Discovery's SHOW AGENTS, and the statement that registers agents from their events (procedures/ingestion.py). */
const SHOW_AGENTS = "show_agents";
const REGISTER_FROM_EVENTS = "merge_agents_from_events";

/** The discovery cycle's per-agent version snapshot (procedures/ingestion.py snapshot_versions). */
const VERSION_SNAPSHOT: readonly string[] = ["show_agent_versions", "describe_agent"];

/** A procedure statement only the per-agent path runs (procedures/ingestion.py run_refresh): it reads agents one by one. */
const PER_AGENT_ONLY = /\bGET_AI_OBSERVABILITY_EVENTS\s*\(/i;
/** The ingest paths that may read agents one by one: per_agent, and auto's fallback. */
const AGENT_BY_AGENT_PATHS: readonly string[] = INGEST_PATHS.filter((path) => path !== "event_table");

/**
 * The ingest paths the stack's tasks call the refresh procedure with (the literal among
 * lib/config.ts INGEST_PATHS in a task's CALL): what decides whether the per-agent statements run.
 */
function calledIngestPaths(build: OfflineBuild): Set<string> {
    const paths = new Set<string>();
    for (const task of build.resources.filter((resource) => kind(resource.type) === "Task")) {
        const call = /^CALL \S+\((.*)\)$/.exec(plainName(String(inputs(task).sqlStatement ?? "")));
        for (const literal of call === null ? [] : call[1].matchAll(/'([^']*)'/g)) {
            if ((INGEST_PATHS as readonly string[]).includes(literal[1].toLowerCase())) {
                paths.add(literal[1].toLowerCase());
            }
        }
    }
    return paths;
}

/** The views the dashboard reads and how it finds the organisation views, from its own modules (privileges/dashboard_reads.py). */
export interface DashboardReads {
    readonly views: readonly string[];
    readonly centralViews: readonly string[];
    readonly probe: string;
}

let dashboardReadsCache: DashboardReads | undefined;

export function dashboardReads(): DashboardReads {
    if (dashboardReadsCache === undefined) {
        const python = path.join(PROJECT_ROOT, ".venv", "bin", "python");
        const output = execFileSync(fs.existsSync(python) ? python : "python3", [path.join(__dirname, "dashboard_reads.py")],
            { cwd: PROJECT_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
        dashboardReadsCache = JSON.parse(output) as DashboardReads;
    }
    return dashboardReadsCache;
}

/** The dashboard's queries, as the role that owns the app (owner's rights), and the viewer opening it. */
const dashboardSource: StatementSource = {
    collect(build, context) {
        const app = context.dynamicStatements.find((statement) => /^CREATE (OR REPLACE )?STREAMLIT /i.test(plainName(statement.text)));
        if (app === undefined) {
            return [];
        }
        const appName = /STREAMLIT (\S+)/.exec(plainName(app.text))![1];
        const schema = appName.split(".").slice(0, 2).join(".");
        const reads = dashboardReads();
        const views = new Set(build.resources.filter((resource) => kind(resource.type) === "View").map(objectName));
        const read = (view: string, condition = "") => ({ role: app.role, text: `SELECT * FROM ${schema}.${view}`,
            source: `dashboard (as the app's owner)${condition}` });
        const dynamic = build.resources.filter((resource) => resource.type.startsWith("pulumi-nodejs:dynamic"))
            .find((resource) => (resource.inputs as Record<string, any>).app?.name === appName);
        const viewer: string | undefined = (dynamic?.inputs as Record<string, any> | undefined)?.app?.viewerRole;
        return [
            ...reads.views.map((view) => read(view)),
            { role: app.role, text: reads.probe.replace("{SCHEMA}", schema), source: "dashboard (as the app's owner)" },
            ...reads.centralViews.filter((view) => views.has(`${schema}.${view}`)).map((view) => read(view, ", organisation page")),
            ...(viewer === undefined ? [] : [{ role: viewer, text: `OPEN STREAMLIT ${appName}`, source: "a viewer opening the dashboard" }]),
        ];
    },
};

/** Sources of statements beyond the resources; the doctor's checks are added here when it exists. */
export const STATEMENT_SOURCES: StatementSource[] = [dashboardSource];

export interface CollectedBuild {
    readonly statements: readonly RunStatement[];
    readonly grants: readonly DeclaredGrant[];
}

/** Every statement each role runs in the build, and every grant it declares. */
export async function collect(build: OfflineBuild, sources: readonly StatementSource[] = STATEMENT_SOURCES): Promise<CollectedBuild> {
    const roleOf = providerRoles(build);
    const statements: RunStatement[] = [];
    const grants: DeclaredGrant[] = [];
    const dynamic: RunStatement[] = [];
    const ingestPaths = calledIngestPaths(build);
    for (const provider of build.resources.filter((resource) => resource.type === "pulumi:providers:snowflake")) {
        // Each provider logs in with its role: the deploying user must be able to use it.
        statements.push({ role: String(provider.inputs.role), text: `USE ROLE ${provider.inputs.role}`, source: `provider ${provider.name} (login)` });
    }
    for (const resource of build.resources) {
        if (resource.type.startsWith(SNOWFLAKE_PREFIX)) {
            const grant = resourceGrant(resource);
            if (grant !== undefined) {
                grants.push(grant);
                statements.push({ role: roleOf(resource), text: grant.statement, source: `${kind(resource.type)} ${resource.name}` });
            } else {
                statements.push(...resourceStatements(resource, roleOf(resource)));
            }
        } else if (resource.type.startsWith("pulumi-nodejs:dynamic")) {
            dynamic.push(...await dynamicStatements(resource));
            statements.push(...procedureBodyStatements(resource, ingestPaths));
        }
    }
    for (const statement of dynamic) {
        const grant = statementGrant(`${statement.source}`, statement.text);
        if (grant !== undefined) {
            grants.push(grant);
        }
    }
    statements.push(...dynamic);
    const context: BuildContext = { dynamicStatements: dynamic };
    for (const source of sources) {
        statements.push(...source.collect(build, context));
    }
    return { statements: mergeRepeats(statements), grants };
}

/** One entry per role and text (the procedures share one body): the sources joined, tolerated only if every source tolerates it. */
function mergeRepeats(statements: readonly RunStatement[]): RunStatement[] {
    const merged = new Map<string, RunStatement>();
    for (const statement of statements) {
        const key = `${statement.role}\n${statement.schema ?? ""}\n${statement.text}`;
        const previous = merged.get(key);
        merged.set(key, previous === undefined ? statement : {
            ...previous,
            source: `${previous.source}; ${statement.source}`,
            tolerated: previous.tolerated !== undefined && statement.tolerated !== undefined ? previous.tolerated : undefined,
        });
    }
    return [...merged.values()];
}
