/**
 * The shapes policy rules work on (one resource as the engine sends it, the stack's context, a
 * rule) and the readers every rule uses on a resource's inputs: secrets, unknowns, statements, grants.
 */

export interface PolicySubject {
    /** Pulumi type token, such as `snowflake:index/table:Table`. */
    readonly type: string;
    /** Pulumi resource name. */
    readonly name: string;
    /** Resource inputs; secrets as `{ [SECRET_SIGNATURE_KEY]: SECRET_SIGNATURE_VALUE, value }`. */
    readonly props: Readonly<Record<string, unknown>>;
    readonly protect?: boolean;
    /** Not visible to CrossGuard (its resource options have no retainOnDelete); the offline plan sees it. */
    readonly retainOnDelete?: boolean;
}

export interface PolicyContext {
    /** Roles that only read dashboards. */
    readonly viewerRoles: readonly string[];
    /** Tables and views whose rows are raw events: nothing on them for a viewer. */
    readonly rawObjects: readonly string[];
    /** Tables and views that may hold conversation text: never granted to a viewer or a share. */
    readonly conversationObjects: readonly string[];
    /** The schema whose secure views a member's share exposes (ORG_SHARE_SCHEMA). */
    readonly shareSchema: string;
    /** Per model the registry shares (readers: share), the columns a share may carry (sql/<area>/models.yml). */
    readonly shareableColumns: Readonly<Record<string, readonly string[]>>;
    /** Columns that never leave the account (conversation_text, user_free_text), each with its class and model, from the registry. */
    readonly privateColumns: Readonly<Record<string, string>>;
    /** Column changes of history tables the stack accepts (wallmonitor:allowColumnChanges); none when absent. */
    readonly allowColumnChanges?: Readonly<Record<string, readonly string[]>>;
    /** How shares identify users (wallmonitor:orgUserIdentity); pseudonymous when absent. */
    readonly orgUserIdentity?: string;
    /** The stack's agent locations (`DB` or `DB.SCHEMA`, wallmonitor:agentLocations); undefined when not known. */
    readonly agentLocations?: readonly string[];
    /** The stack's owner role (wallmonitor:ownerRole); policy/ownerRole.ts's default when absent. */
    readonly ownerRole?: string;
    /** Whether the stack grants the owner role to parentRole on purpose (wallmonitor:ownerRoleToParentRole). */
    readonly ownerRoleToParentRole?: boolean;
}

export interface PolicyRule {
    /** kebab-case, as shown by `pulumi preview`. */
    readonly name: string;
    readonly description: string;
    check(subject: PolicySubject, context: PolicyContext): string[];
}

/** Pulumi's marker for a secret value in serialized resource inputs. */
export const SECRET_SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIGNATURE_VALUE = "1b47061264138c4ac30d75fd1eb44270";
/** Pulumi's placeholders for values not known until apply (string, boolean, number, array, asset, archive, object). */
const UNKNOWNS: ReadonlySet<string> = new Set([
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9", "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", "030794c1-ac77-496b-92df-f27374a8bd58", "e48ece36-62e2-4504-bad9-02848725956a",
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
]);

/** Whether a value is not known until apply (during a preview): rules decide nothing on it. */
export function isUnknown(value: unknown): boolean {
    return typeof value === "string" && UNKNOWNS.has(value);
}

/** The strings of a list input; nothing when it is unknown. */
export function strings(value: unknown): string[] {
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string" && !isUnknown(item)) : [];
}

export function secret(value: unknown): Record<string, unknown> {
    return { [SECRET_SIGNATURE_KEY]: SECRET_SIGNATURE_VALUE, value };
}

export function isSecret(value: unknown): boolean {
    return value !== null && typeof value === "object" &&
        (value as Record<string, unknown>)[SECRET_SIGNATURE_KEY] === SECRET_SIGNATURE_VALUE;
}

export function unwrap(value: unknown): unknown {
    return isSecret(value) ? (value as { value: unknown }).value : value;
}

export const SNOWFLAKE = "snowflake:index/";
/** `Table` from `snowflake:index/table:Table`; the last segment of any other type token. */
export function kindOf(type: string): string {
    return type.split(/[:/]/).pop() ?? type;
}
export const isSnowflake = (subject: PolicySubject, kind?: string) =>
    subject.type.startsWith(SNOWFLAKE) && (kind === undefined || kindOf(subject.type) === kind);
export const isDynamic = (subject: PolicySubject) => subject.type.startsWith("pulumi-nodejs:dynamic/");

/**
 * Every (key, value) pair in the inputs, depth first, in key order; `path` is dotted. The items
 * of a list are visited under the list's key. Secrets are not entered.
 */
export function walk(value: unknown, visit: (path: string, key: string, value: unknown) => void, path = "", key = ""): void {
    if (isSecret(value)) {
        return;
    }
    if (Array.isArray(value)) {
        value.forEach((item, index) => {
            visit(`${path}[${index}]`, key, item);
            walk(item, visit, `${path}[${index}]`, key);
        });
    } else if (value !== null && typeof value === "object") {
        for (const key of Object.keys(value as object).sort()) {
            if (key === "__provider") {
                continue;
            }
            const item = (value as Record<string, unknown>)[key];
            const itemPath = path === "" ? key : `${path}.${key}`;
            visit(itemPath, key, item);
            walk(item, visit, itemPath, key);
        }
    }
}

/** The SQL a resource carries: rendered statements ({file, text}) of a dynamic resource, a task's body. */
export function statementsOf(subject: PolicySubject): { where: string; text: string }[] {
    const found: { where: string; text: string }[] = [];
    walk(subject.props, (path, _key, value) => {
        const record = value as Record<string, unknown> | null;
        if (record !== null && typeof record === "object" && typeof record.text === "string" && typeof record.file === "string") {
            found.push({ where: `${path} (${record.file})`, text: record.text });
        }
    });
    for (const key of ["sqlStatement", "statement", "query", "condition", "action"]) {
        const value = subject.props[key];
        if (typeof value === "string" && !isUnknown(value)) {
            found.push({ where: key, text: value });
        }
    }
    return found;
}

/** SQL without `--` comment lines, on one line. */
export function code(text: string): string {
    return text.split("\n").map((line) => line.replace(/--.*$/, "")).join(" ").replace(/\s+/g, " ").trim();
}

/** The last part of a possibly qualified, possibly quoted name: `"DB"."S"."T"` -> `T`. */
export function baseName(name: unknown): string {
    return typeof name === "string" ? (name.split(".").pop() ?? "").replace(/"/g, "").toUpperCase() : "";
}

/** The parts of a possibly qualified, possibly quoted name, UPPERCASE: `"DB".s."T"` -> `["DB", "S", "T"]`. */
export function nameParts(name: string): string[] {
    return [...name.matchAll(/"((?:[^"]|"")*)"|([^."\s]+)/g)].map((part) => (part[1] ?? part[2]).replace(/""/g, '"').toUpperCase());
}

/** Where a possibly qualified name points: its object, and its schema and database when the name says. */
export function located(name: unknown): { objectName: string; objectSchema?: string; objectDatabase?: string } {
    const parts = typeof name === "string" && !isUnknown(name) ? nameParts(name) : [];
    const [objectName = "", objectSchema, objectDatabase] = [...parts].reverse();
    return { objectName, ...(objectSchema === undefined ? {} : { objectSchema }), ...(objectDatabase === undefined ? {} : { objectDatabase }) };
}

// ---------------------------------------------------------------------------------------------
// Grants, normalized: who receives what on which object, from Snowflake grant resources and
// from GRANT statements in dynamic resources.

export interface GrantFact {
    /** Account role, share or role receiving the grant. */
    readonly grantee: string;
    readonly granteeKind: "ROLE" | "SHARE";
    readonly privileges: readonly string[];
    /** Object type (TABLE, VIEW, SCHEMA, ...), `ALL TABLES`/`FUTURE VIEWS`, `ACCOUNT`, or `ROLE` for a role grant. */
    readonly objectType: string;
    /** Unqualified object name ("" for ALL/FUTURE/ACCOUNT). */
    readonly objectName: string;
    /** The object's schema, where its name is qualified (a share's view in ORG_SHARE_SCHEMA is not the table it reads). */
    readonly objectSchema?: string;
    /** The object's database, where its name says. */
    readonly objectDatabase?: string;
}

const GRANT_ROLE_STATEMENT = /\bGRANT\s+((?:DATABASE\s+|APPLICATION\s+)?ROLE)\s+([A-Z0-9_$."]+)\s+TO\s+ROLE\s+([A-Z0-9_$."]+)/i;
const GRANT_STATEMENT = /\bGRANT\s+(.+?)\s+ON\s+(?:(FUTURE|ALL)\s+)?([A-Z ]+?)\s+(?:IN\s+(?:SCHEMA|DATABASE)\s+)?([A-Z0-9_$."]*)\s*TO\s+(ROLE|SHARE)\s+([A-Z0-9_$."]+)/i;

export function grantsOf(subject: PolicySubject): GrantFact[] {
    const props = subject.props as Record<string, any>;
    const kind = kindOf(subject.type);
    const facts: GrantFact[] = [];
    if (isSnowflake(subject, "GrantPrivilegesToAccountRole")) {
        const privileges: string[] = props.allPrivileges === true ? ["ALL PRIVILEGES"] : strings(props.privileges);
        let objectType = "?";
        let objectName = "";
        if (props.onAccount) {
            objectType = "ACCOUNT";
        } else if (props.onAccountObject) {
            objectType = String(props.onAccountObject.objectType);
            objectName = baseName(props.onAccountObject.objectName);
        } else if (props.onSchema) {
            objectType = props.onSchema.schemaName ? "SCHEMA" : "ALL SCHEMAS";
            objectName = baseName(props.onSchema.schemaName);
        } else if (props.onSchemaObject?.all) {
            objectType = `ALL ${props.onSchemaObject.all.objectTypePlural}`;
        } else if (props.onSchemaObject?.future) {
            objectType = `FUTURE ${props.onSchemaObject.future.objectTypePlural}`;
        } else if (props.onSchemaObject) {
            objectType = String(props.onSchemaObject.objectType);
            objectName = baseName(props.onSchemaObject.objectName);
        }
        const where = props.onSchemaObject?.objectName === undefined ? {} : located(props.onSchemaObject.objectName);
        facts.push({ grantee: baseName(props.accountRoleName), granteeKind: "ROLE", privileges, objectType, ...where, objectName });
    } else if (isSnowflake(subject, "GrantOwnership")) {
        const on = props.on ?? {};
        const objectType = on.objectType ?? (on.all ? `ALL ${on.all.objectTypePlural}` : on.future ? `FUTURE ${on.future.objectTypePlural}` : "?");
        facts.push({ grantee: baseName(props.accountRoleName ?? props.databaseRoleName), granteeKind: "ROLE",
            privileges: ["OWNERSHIP"], objectType: String(objectType), objectName: baseName(on.objectName) });
    } else if (kind === "GrantAccountRole" || kind === "GrantDatabaseRole" || kind === "GrantApplicationRole") {
        const role = props.roleName ?? props.databaseRoleName ?? props.applicationRoleName;
        facts.push({ grantee: baseName(props.parentRoleName ?? props.parentAccountRoleName), granteeKind: "ROLE",
            privileges: ["(role grant)"], objectType: "ROLE", objectName: String(role ?? "").replace(/"/g, "") });
    } else if (isSnowflake(subject, "GrantPrivilegesToShare")) {
        const on: [string, unknown][] = [["TABLE", props.onTable], ["VIEW", props.onView], ["ALL TABLES", props.onAllTablesInSchema],
            ["SCHEMA", props.onSchema], ["DATABASE", props.onDatabase], ["FUNCTION", props.onFunction], ["TAG", props.onTag]];
        const [objectType, objectName] = on.find(([, value]) => typeof value === "string" && !isUnknown(value)) ?? ["?", ""];
        const where = objectType === "TABLE" || objectType === "VIEW" || objectType === "FUNCTION" || objectType === "TAG"
            ? located(objectName) : {};
        facts.push({ grantee: baseName(props.toShare), granteeKind: "SHARE", privileges: strings(props.privileges), objectType,
            ...where, objectName: objectType.startsWith("ALL") ? "" : baseName(objectName) });
    }
    for (const statement of isDynamic(subject) ? statementsOf(subject) : []) {
        const roleGrant = GRANT_ROLE_STATEMENT.exec(code(statement.text));
        if (roleGrant !== null) {
            const [, roleKind, role, grantee] = roleGrant;
            facts.push({ grantee: baseName(grantee), granteeKind: "ROLE", privileges: ["(role grant)"], objectType: "ROLE",
                objectName: `${roleKind.replace(/\s+/g, " ").toUpperCase()} ${role.replace(/"/g, "")}` });
            continue;
        }
        const match = GRANT_STATEMENT.exec(code(statement.text));
        if (match !== null) {
            const [, privileges, scope, objectType, objectName, granteeKind, grantee] = match;
            facts.push({
                grantee: baseName(grantee), granteeKind: granteeKind.toUpperCase() as "ROLE" | "SHARE",
                privileges: privileges.split(",").map((privilege) => privilege.trim().toUpperCase()),
                objectType: `${scope === undefined ? "" : `${scope.toUpperCase()} `}${objectType.trim().toUpperCase()}`,
                ...(scope === undefined && !/^(SCHEMA|DATABASE)$/i.test(objectType.trim()) ? located(objectName) : {}),
                objectName: scope === undefined ? baseName(objectName) : "",
            });
        }
    }
    return facts;
}
