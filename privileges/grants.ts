import { ACCOUNT, AGENT_CONTAINERS, Alternative, normalize, ObjectRef, PrivilegeModel } from "./classify";

/**
 * The grants a build declares, and whether a role holds a privilege through them, through
 * ownership of what it created, through the role hierarchy (account, database and application
 * roles) or as a system-defined role.
 */

/** Who runs `USE ROLE`: Snowflake checks the user's granted roles, not the session's current one. */
export const DEPLOYING_USER = "(the deploying user)";

export type GrantTarget =
    | { readonly kind: "object"; readonly object: ObjectRef }
    | { readonly kind: "all" | "future"; readonly objectType: string; readonly in: ObjectRef };

export interface DeclaredGrant {
    /** Which resource (and, for a dynamic resource, which statement) declares it. */
    readonly id: string;
    /** An account role, or `SHARE <name>`. */
    readonly grantee: string;
    readonly privileges: readonly string[];
    readonly on?: GrantTarget;
    /** A role grant: the account, database (`DB.ROLE`) or application (`APP.ROLE`) role granted. */
    readonly role?: string;
    /** The GRANT statement, as Snowflake receives it. */
    readonly statement: string;
}

export interface Ownership {
    readonly role: string;
    readonly object: ObjectRef;
}

const PLURALS: Record<string, string> = {
    TABLES: "TABLE", VIEWS: "VIEW", "DYNAMIC TABLES": "DYNAMIC TABLE", AGENTS: "AGENT", SCHEMAS: "SCHEMA",
    PROCEDURES: "PROCEDURE", TASKS: "TASK", STAGES: "STAGE", "MATERIALIZED VIEWS": "MATERIALIZED VIEW",
};

/** TABLES -> TABLE; what an ALL or FUTURE grant's object type names. */
export function singular(plural: string): string {
    return PLURALS[plural.toUpperCase()] ?? plural.toUpperCase().replace(/S$/, "");
}

/** Unquoted upper-case name: `"DB"."S"` -> `DB.S`. */
export function plainName(name: string): string {
    return normalize(name).replace(/"/g, "").toUpperCase();
}

const TABLE_LIKE = new Set(["TABLE", "VIEW", "DYNAMIC TABLE", "MATERIALIZED VIEW"]);

function sameObject(a: ObjectRef, b: ObjectRef): boolean {
    const typesMatch = a.type === b.type || (TABLE_LIKE.has(a.type) && TABLE_LIKE.has(b.type));
    return typesMatch && a.name === b.name;
}

function inside(container: ObjectRef, name: string): boolean {
    return name.startsWith(`${container.name}.`);
}

export class Holdings {
    private readonly rolesByGrantee = new Map<string, string[]>();

    constructor(private readonly model: PrivilegeModel, private readonly grants: readonly DeclaredGrant[],
                private readonly owned: readonly Ownership[]) {
        for (const grant of grants) {
            if (grant.role !== undefined) {
                this.rolesByGrantee.set(grant.grantee, [...(this.rolesByGrantee.get(grant.grantee) ?? []), grant.role]);
            }
        }
    }

    /** The role and every role it inherits: granted account, database and application roles, and system-role defaults. */
    closure(role: string): Set<string> {
        const seen = new Set<string>();
        const pending = [role];
        while (pending.length > 0) {
            const next = pending.pop()!;
            if (seen.has(next)) {
                continue;
            }
            seen.add(next);
            pending.push(...(this.rolesByGrantee.get(next) ?? []), ...(this.model.systemRoles.roles[next]?.inherits ?? []));
        }
        return seen;
    }

    isSystemRole(role: string): boolean {
        return this.model.systemRoles.roles[role] !== undefined;
    }

    satisfies(role: string, alternative: Alternative): boolean {
        const roles = this.closure(role);
        if (alternative.role !== undefined) {
            return roles.has(alternative.role);
        }
        if (alternative.on?.type === AGENT_CONTAINERS.type) {
            return this.holdsAgentContainers(roles, alternative.privilege!);
        }
        return [...roles].some((held) => this.holds(held, alternative.privilege!, alternative.on!));
    }

    /**
     * A privilege on the database and the schema of every agent the role's agent grants reach: the
     * container of each grant on agents (for a database, every schema in it, through a grant on all
     * or future schemas there). False without any agent grant: then no agent is read at all.
     */
    private holdsAgentContainers(roles: ReadonlySet<string>, privilege: string): boolean {
        const held = (on: ObjectRef) => [...roles].some((role) => this.holds(role, privilege, on));
        const agentGrants = this.grants.filter((grant) => roles.has(grant.grantee) && grant.on !== undefined &&
            (grant.on.kind === "object" ? grant.on.object.type === "AGENT" : grant.on.objectType === "AGENT"));
        return agentGrants.length > 0 && agentGrants.every((grant) => {
            const target = grant.on!;
            const container = target.kind === "object"
                ? { type: "SCHEMA", name: target.object.name.split(".").slice(0, 2).join(".") } : target.in;
            const database = { type: "DATABASE", name: container.name.split(".")[0] };
            const schema = container.type === "SCHEMA" ? container : { type: "SCHEMA", name: `${container.name}.?` };
            return held(database) && held(schema);
        });
    }

    /** Whether `role` itself (not its inherited roles) holds `privilege` on `on`. */
    private holds(role: string, privilege: string, on: ObjectRef): boolean {
        if (this.owned.some((ownership) => ownership.role === role && sameObject(ownership.object, on))) {
            return true;
        }
        if (on.type === "ACCOUNT" && on.name === ACCOUNT.name && this.model.systemRoles.roles[role]?.account.includes(privilege)) {
            return true;
        }
        const wanted = (granted: readonly string[]) => privilege === "*" || granted.includes(privilege) ||
            granted.includes("OWNERSHIP") || granted.includes("ALL PRIVILEGES");
        return this.grants.some((grant) => {
            if (grant.grantee !== role || grant.on === undefined) {
                return false;
            }
            const target = grant.on;
            if (target.kind === "object") {
                if (target.object.type === "DATABASE" && grant.privileges.includes("IMPORTED PRIVILEGES") &&
                    (inside(target.object, on.name) || (on.type === "DATABASE" && on.name === target.object.name))) {
                    return true;
                }
                if (on.type === "AGENT" && on.name === "?") {
                    return target.object.type === "AGENT" && wanted(grant.privileges);
                }
                return sameObject(target.object, on) && wanted(grant.privileges);
            }
            const typeMatches = target.objectType === on.type || (on.type === "TABLE" && TABLE_LIKE.has(target.objectType));
            const reaches = on.type === "AGENT" && on.name === "?" ? true : inside(target.in, on.name);
            return typeMatches && reaches && wanted(grant.privileges);
        });
    }
}
