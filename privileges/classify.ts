import * as fs from "fs";
import * as path from "path";

/**
 * The privilege model (privileges/model.json): for each kind of statement Wallmonitor runs, the
 * privileges Snowflake documents as required, with the page that says so. This module reads
 * the table and turns one statement into the privileges it needs on concrete objects.
 */

export const MODEL_FILE = path.resolve(__dirname, "model.json");

/** Where a requirement's privilege is needed, as the table writes it. */
type Place = string;

export interface ModelAlternative {
    readonly privilege?: string;
    readonly on?: Place;
    /** Holding this role (an account, database or application role) satisfies the requirement. */
    readonly role?: string;
}

export interface ModelRequirement {
    readonly anyOf: readonly ModelAlternative[];
    /** Where this requirement alone is documented, and how sure it is, when that differs from its row. */
    readonly url?: string;
    readonly status?: "docs" | "open";
}

export interface StatementRow {
    readonly id: string;
    readonly pattern: string;
    /** The kind of object the statement's `target` is. */
    readonly object?: string;
    /** The running role owns the target afterwards. */
    readonly creates?: boolean;
    /** Some privilege on the target's database and schema (true), on the stage's ("stage"), or only for schema objects. */
    readonly containers?: boolean | "stage" | "if-schema-object";
    /** SELECT on every other object the text names. */
    readonly reads?: boolean;
    /** Checked when Snowflake runs it (a task run, a refresh), not when Pulumi deploys. */
    readonly runtime?: boolean;
    /** Agents the statement reaches: "visible" (SHOW AGENTS) or named by binds. */
    readonly agents?: "visible" | "bind";
    /** USAGE on each notification integration the call names. */
    readonly integrations?: boolean;
    /** Checked against the deploying user's roles, whatever role the session has. */
    readonly user?: boolean;
    readonly requires: readonly ModelRequirement[];
    readonly url: string;
    readonly status: "docs" | "open";
    readonly notes?: string;
}

/** A Snowflake-provided object (a SNOWFLAKE.* table, view or function) and how it is reached. */
export interface ObjectRow {
    readonly id: string;
    /** The object's three-part name; `*.INFORMATION_SCHEMA.X` is X in any database's Information Schema. */
    readonly name: string;
    /** Applies only to a statement whose code matches this pattern (what it reads from the object). */
    readonly when?: string;
    readonly function?: boolean;
    readonly agents?: "bind";
    /** Some privilege on each notification integration the build creates (or ACCOUNTADMIN) is needed to see its rows. */
    readonly integrations?: boolean;
    readonly requires: readonly ModelRequirement[];
    readonly url: string;
    readonly status: "docs" | "open";
    readonly notes?: string;
}

/** Whether an object row describes the object `name`. */
function describes(row: ObjectRow, name: string): boolean {
    return row.name.startsWith("*.") ? name.split(".").slice(1).join(".") === row.name.slice(2) : row.name === name;
}

/** Functions whose privileges are Snowflake's to define: a call to one the model does not describe is an error, not a pass. */
function isSystemFunction(name: string): boolean {
    return name.startsWith("SNOWFLAKE.") || name.split(".")[1] === "INFORMATION_SCHEMA";
}

export interface SystemRole {
    readonly inherits: readonly string[];
    readonly account: readonly string[];
}

export interface PrivilegeModel {
    readonly statements: readonly StatementRow[];
    readonly objects: readonly ObjectRow[];
    readonly systemRoles: { readonly url: string; readonly roles: Readonly<Record<string, SystemRole>> };
    readonly openChecks: readonly { readonly fact: string; readonly check: string }[];
}

export function loadModel(file: string = MODEL_FILE): PrivilegeModel {
    return JSON.parse(fs.readFileSync(file, "utf8")) as PrivilegeModel;
}

/** An object a privilege is on. `name` is unquoted and upper case; ACCOUNT's is empty; AGENT `?` is any agent Wallmonitor reads. */
export interface ObjectRef {
    readonly type: string;
    readonly name: string;
}

export const ACCOUNT: ObjectRef = { type: "ACCOUNT", name: "" };
export const ANY_AGENT: ObjectRef = { type: "AGENT", name: "?" };
/** The database and schema of every agent read: where the role's agent grants reach (privileges/grants.ts). */
export const AGENT_CONTAINERS: ObjectRef = { type: "AGENT CONTAINERS", name: "?" };

/** One way to satisfy a requirement, on a concrete object. */
export interface Alternative {
    readonly privilege?: string;
    readonly on?: ObjectRef;
    readonly role?: string;
    /** Agents named at run time by these bind positions (database, schema, name). */
    readonly bind?: readonly number[];
}

/** Privileges one statement needs: every requirement, each satisfied by any of its alternatives. */
export interface Requirement {
    readonly anyOf: readonly Alternative[];
    /** The row (statement kind or Snowflake object) that asks for it. */
    readonly row: string;
    readonly url: string;
    /** No public source settles it (the model's status "open"). */
    readonly open: boolean;
}

export interface Classified {
    readonly row: StatementRow;
    readonly target?: ObjectRef;
    readonly requirements: readonly Requirement[];
    /** What the running role owns once the statement ran. */
    readonly creates?: ObjectRef;
}

/** What the classifier knows about the objects of the build: their kinds, and which schemas have managed access. */
export interface ObjectCatalog {
    kindOf(name: string): string | undefined;
    managedAccess(schema: string): boolean;
    /** The notification integrations the build creates: a notification call built at run time may name any of them. */
    notificationIntegrations(): readonly string[];
    /** The secret a webhook notification integration names (WEBHOOK_SECRET), if any. */
    webhookSecret(integration: string): string | undefined;
}

const IDENTIFIER = /"([A-Za-z_][A-Za-z0-9_$]*)"/g;

/** The statement's code: no comments, no quotes around plain identifiers, one space between words. */
export function normalize(text: string): string {
    return text.split("\n").map((line) => line.replace(/--.*$/, "")).join(" ")
        .replace(IDENTIFIER, (_match, name: string) => (name === name.toUpperCase() ? name : `"${name}"`))
        .replace(/\s+/g, " ").replace(/;\s*$/, "").trim();
}

/** `A.B.C`'s parents: database `A`, schema `A.B`. */
function parents(name: string): { database?: string; schema?: string } {
    const parts = name.split(".");
    return { database: parts.length >= 2 ? parts[0] : undefined, schema: parts.length >= 3 ? parts.slice(0, 2).join(".") : undefined };
}

/** Every three-part name the code mentions outside string literals, excluding function calls. */
export function qualifiedNames(code: string): string[] {
    const withoutStrings = code.replace(/'(?:[^']|'')*'/g, "''").replace(/"[^"]*"/g, "\"\"");
    const found = new Set<string>();
    for (const match of withoutStrings.matchAll(/(?<![\w$.:])([A-Z_][A-Z0-9_$]*\.[A-Z_][A-Z0-9_$]*\.[A-Z_][A-Z0-9_$]*)(?![\w$.])(\s*\()?/gi)) {
        if (match[2] === undefined) {
            found.add(match[1].toUpperCase());
        }
    }
    return [...found];
}

/** Every function call with a three-part name (SNOWFLAKE.LOCAL.GET_AI_OBSERVABILITY_EVENTS(...)). */
function qualifiedCalls(code: string): string[] {
    const withoutStrings = code.replace(/'(?:[^']|'')*'/g, "''");
    return [...withoutStrings.matchAll(/(?<![\w$.])([A-Z_][A-Z0-9_$]*\.[A-Z_][A-Z0-9_$]*\.[A-Z_][A-Z0-9_$]*)\s*\(/gi)]
        .map((match) => match[1].toUpperCase());
}

export class UnknownStatementError extends Error {}

export class Classifier {
    private readonly rows: { row: StatementRow; regex: RegExp }[];

    constructor(readonly model: PrivilegeModel, private readonly catalog: ObjectCatalog) {
        this.rows = model.statements.map((row) => ({ row, regex: new RegExp(row.pattern, "i") }));
    }

    /** The row the statement falls under and the privileges it needs; throws for a statement no row describes. */
    classify(text: string, schema?: string): Classified {
        const code = normalize(text);
        const hit = this.rows.map(({ row, regex }) => ({ row, match: regex.exec(code) })).find(({ match }) => match !== null);
        if (hit === undefined || hit.match === null) {
            throw new UnknownStatementError(`No row of privileges/model.json describes this statement; add one with the ` +
                `privileges Snowflake documents for it: ${code.slice(0, 200)}`);
        }
        const { row, match } = hit;
        const groups = Object.fromEntries(Object.entries(match.groups ?? {})
            .filter((entry): entry is [string, string] => entry[1] !== undefined)
            .map(([key, value]) => [key, value.toUpperCase()]));
        if (groups.target !== undefined && schema !== undefined && !groups.target.includes(".") && row.object !== undefined &&
            !["DATABASE", "WAREHOUSE", "ROLE", "INTEGRATION", "SHARE", "SCHEMA"].includes(row.object)) {
            groups.target = `${schema}.${groups.target}`;
        }
        const target = this.targetOf(row, groups);
        const requirements: Requirement[] = [];
        const place = (on: Place | undefined): ObjectRef | undefined => this.place(on, row, groups, target);
        for (const requirement of row.requires) {
            const anyOf = requirement.anyOf.flatMap((alternative): Alternative[] => {
                if (alternative.role !== undefined) {
                    return [{ role: alternative.role === "<target>" ? groups.target : alternative.role }];
                }
                const on = place(alternative.on);
                return on === undefined ? [] : [{ privilege: alternative.privilege, on }];
            });
            if (anyOf.length > 0) {
                requirements.push({ anyOf, row: row.id, url: requirement.url ?? row.url,
                    open: (requirement.status ?? row.status) === "open" });
            }
        }
        const containers = row.containers === "stage" ? (groups.stage === undefined ? undefined : { type: "STAGE", name: groups.stage })
            : row.containers === true || (row.containers === "if-schema-object" && target !== undefined && target.name.split(".").length === 3)
                ? target : undefined;
        if (containers !== undefined) {
            requirements.push(...this.containerRequirements(containers.name, row));
        }
        if (row.id === "show" && groups.target !== undefined) {
            requirements.push(...this.containerRequirements(`${groups.target}.X`, row));
        }
        if (row.integrations) {
            const named = [...code.matchAll(/INTEGRATION\s*\(\s*'([^']+)'\s*\)/gi)].map((integration) => integration[1].toUpperCase());
            for (const integration of new Set([...named, ...this.catalog.notificationIntegrations()])) {
                requirements.push({ anyOf: [{ privilege: "USAGE", on: { type: "INTEGRATION", name: integration } }], row: row.id, url: row.url,
                    open: row.status === "open" });
                const secret = this.catalog.webhookSecret(integration);
                if (secret !== undefined) {
                    // Sending through a webhook integration reads its secret: READ on it, and some privilege on its database and schema.
                    const url = "https://docs.snowflake.com/en/user-guide/notifications/webhook-notifications";
                    requirements.push({ anyOf: [{ privilege: "READ", on: { type: "SECRET", name: secret } }], row: row.id, url, open: false },
                        ...this.containerRequirements(secret, row));
                }
            }
        }
        if (row.reads) {
            requirements.push(...this.readRequirements(code, row, target));
        }
        return { row, target, requirements, creates: row.creates ? target : undefined };
    }

    private targetOf(row: StatementRow, groups: Record<string, string>): ObjectRef | undefined {
        if (groups.target === undefined) {
            return undefined;
        }
        const kind = groups.kind ?? row.object ?? this.catalog.kindOf(groups.target) ?? "OBJECT";
        const type = kind === "API INTEGRATION" || kind === "NOTIFICATION INTEGRATION" ? "INTEGRATION" : kind;
        return { type, name: groups.target };
    }

    private place(on: Place | undefined, row: StatementRow, groups: Record<string, string>, target: ObjectRef | undefined): ObjectRef | undefined {
        switch (on) {
            case undefined:
                return undefined;
            case "account":
                return ACCOUNT;
            case "target":
                if (target?.type === "ACCOUNT") {
                    // An account privilege: no owner, so only MANAGE GRANTS grants it.
                    return { type: "ACCOUNT", name: "(no owner)" };
                }
                return target;
            case "managed-access-target":
                return target !== undefined && this.catalog.managedAccess(target.name) ? target : undefined;
            case "built-target":
                // A container the build creates: every object in it was created, and so is owned, by Wallmonitor's roles.
                return target !== undefined && this.catalog.kindOf(target.name) !== undefined ? target : undefined;
            case "grant-authority": {
                // In a managed access schema the schema's owner grants on its objects, not each object's owner.
                const schema = target?.name.split(".").slice(0, 2).join(".");
                if (target?.type === "ACCOUNT") {
                    return { type: "ACCOUNT", name: "(no owner)" };
                }
                return target !== undefined && target.name.split(".").length === 3 && this.catalog.managedAccess(schema!)
                    ? { type: "SCHEMA", name: schema! } : target;
            }
            case "database":
                return target === undefined ? undefined : { type: "DATABASE", name: target.name.split(".")[0] };
            case "schema":
                return target === undefined ? undefined : { type: "SCHEMA", name: target.name.split(".").slice(0, 2).join(".") };
            case "agent":
                return ANY_AGENT;
            default: {
                if (on.includes(" ")) {
                    const [type, ...name] = on.split(" ");
                    return { type, name: name.join(" ") };
                }
                const value = groups[on];
                if (value === undefined) {
                    return undefined;
                }
                const types: Record<string, string> = {
                    warehouse: "WAREHOUSE", integration: "INTEGRATION", stage: "STAGE", secret: "SECRET", share: "SHARE",
                    source: this.catalog.kindOf(value) ?? "STAGE",
                };
                if (types[on] === undefined) {
                    throw new Error(`privileges/model.json row ${row.id}: unknown place "${on}"`);
                }
                return { type: types[on], name: value };
            }
        }
    }

    /** Some privilege on the database and on the schema of a schema object (Snowflake's rule for every schema object). */
    private containerRequirements(name: string, row: StatementRow): Requirement[] {
        const { database, schema } = parents(name);
        const url = "https://docs.snowflake.com/en/user-guide/security-access-control-overview#securable-objects";
        return [
            ...(database === undefined ? [] : [{ anyOf: [{ privilege: "*", on: { type: "DATABASE", name: database } }], row: row.id, url, open: false }]),
            ...(schema === undefined ? [] : [{ anyOf: [{ privilege: "*", on: { type: "SCHEMA", name: schema } }], row: row.id, url, open: false }]),
        ];
    }

    /** SELECT on every object read, through the Snowflake-object rows for SNOWFLAKE.*, and the agents a function reaches. */
    private readRequirements(code: string, row: StatementRow, target: ObjectRef | undefined): Requirement[] {
        const requirements: Requirement[] = [];
        const names = [...qualifiedNames(code), ...qualifiedCalls(code)].filter((name) => name !== target?.name);
        for (const name of [...new Set(names)].sort()) {
            const rows = this.model.objects.filter((object) => describes(object, name));
            for (const object of rows.filter((candidate) => candidate.when === undefined || new RegExp(candidate.when, "i").test(code))) {
                for (const requirement of object.requires) {
                    const anyOf = requirement.anyOf.map((alternative): Alternative => (alternative.role !== undefined
                        ? { role: alternative.role }
                        : alternative.on === "agent-containers"
                            ? { privilege: alternative.privilege, on: AGENT_CONTAINERS }
                            : alternative.on === "agent"
                            ? { privilege: alternative.privilege, on: ANY_AGENT, bind: object.agents === "bind" ? [0, 1, 2] : undefined }
                            : { privilege: alternative.privilege, on: this.place(alternative.on, row, {}, undefined) }));
                    requirements.push({ anyOf, row: object.id, url: requirement.url ?? object.url,
                        open: (requirement.status ?? object.status) === "open" });
                }
                if (object.integrations) {
                    for (const integration of this.catalog.notificationIntegrations()) {
                        requirements.push({ anyOf: [{ privilege: "USAGE", on: { type: "INTEGRATION", name: integration } }, { role: "ACCOUNTADMIN" }],
                            row: object.id, url: object.url, open: object.status === "open" });
                    }
                }
            }
            if (rows.length > 0) {
                continue;
            }
            if (qualifiedCalls(code).includes(name)) {
                if (isSystemFunction(name)) {
                    throw new UnknownStatementError(`No object row of privileges/model.json describes the function ${name}; add one ` +
                        `with the privileges Snowflake documents for it: ${code.slice(0, 200)}`);
                }
                continue;
            }
            const known = this.catalog.kindOf(name);
            // An object the build does not create is in a database from a share: IMPORTED PRIVILEGES on it reads everything in it.
            const imported: Alternative[] = known === undefined
                ? [{ privilege: "IMPORTED PRIVILEGES", on: { type: "DATABASE", name: name.split(".")[0] } }] : [];
            requirements.push({ anyOf: [{ privilege: "SELECT", on: { type: known ?? "TABLE", name } }, ...imported], row: row.id, url: row.url,
                open: row.status === "open" },
                ...this.containerRequirements(name, row));
        }
        return requirements;
    }
}

/** `PRIVILEGE on TYPE NAME`, as messages and the README say it. */
export function describeAlternative(alternative: Alternative): string {
    if (alternative.role !== undefined) {
        return `role ${alternative.role}`;
    }
    const on = alternative.on!;
    const privilege = alternative.privilege === "*" ? "USAGE (or any other privilege)" : alternative.privilege;
    if (on.type === "ACCOUNT") {
        return `${privilege} on the account`;
    }
    if (on.type === "AGENT" && on.name === "?") {
        return `${privilege} on each agent read`;
    }
    if (on.type === AGENT_CONTAINERS.type) {
        return `${privilege} on the database and schema of each agent read`;
    }
    return `${privilege} on ${on.type} ${on.name}`;
}

export function describeRequirement(requirement: Requirement): string {
    return requirement.anyOf.map(describeAlternative).join(" or ");
}
