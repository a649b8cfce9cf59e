import * as pulumi from "@pulumi/pulumi";

import { IDENTIFIER_PATTERN } from "../lib/sql/identifier";
import { ident } from "../lib/sql/render";
import { Row } from "./connection";
import { OBJECT_MISSING } from "./errors";
import { checkIdentifier, checkStatement, CheckFailure, ResourceKind, snowflakeProvider } from "./resource";
import { providerStatement, Statement } from "./statements";

/**
 * One grant to an account role, made in plain SQL by the admin role: GRANT on create, REVOKE on
 * delete, read back from SHOW GRANTS. For what the Snowflake provider cannot keep stable or
 * cannot express at all:
 *
 * - SNOWFLAKE.* database roles (CORTEX_USER, USAGE_VIEWER): `grant_database_role` fails or
 *   re-grants on every `up` (terraform-provider-snowflake issues 4338, 4284, 4469);
 * - privileges on Cortex Agents: `@pulumi/snowflake` 1.3.0's GrantPrivilegesToAccountRole
 *   validates `objectTypePlural` against a list without AGENTS (its schema lists the accepted
 *   values; terraform-provider-snowflake `pkg/sdk/grants_validations.go` validGrantToObjectTypes),
 *   so `MONITOR ON FUTURE AGENTS IN SCHEMA ...` cannot be declared with it.
 *
 * A grant is privilege (or database role) + securable + grantee, all validated identifiers; the
 * statements are rendered from sql/provider/grants/ in the program and are inputs, so the plan,
 * the policy pack and the privilege model read them from the build. GRANT of something already
 * held succeeds and REVOKE of something gone is tolerated, so every step can run again.
 */

/** Privileges this resource may grant; anything else is refused by `check` and by the renderer. */
export const GRANTABLE_PRIVILEGES = ["USAGE", "MONITOR"] as const;
export type GrantablePrivilege = (typeof GRANTABLE_PRIVILEGES)[number];
/** Object types granted on ALL/FUTURE: agents, and the schemas of a database that holds agents. */
export const BULK_OBJECT_TYPES = ["AGENTS", "SCHEMAS"] as const;
export type BulkObjectType = (typeof BULK_OBJECT_TYPES)[number];
export type ContainerType = "DATABASE" | "SCHEMA";

/** What is granted, and on what. Names are unquoted UPPERCASE identifiers (`DB`, `DB.SCHEMA`, `SNOWFLAKE.CORTEX_USER`). */
export type GrantSpec =
    | { readonly kind: "databaseRole"; readonly databaseRole: string }
    | { readonly kind: "object"; readonly privilege: GrantablePrivilege; readonly objectType: ContainerType; readonly object: string }
    | {
        readonly kind: "all" | "future";
        readonly privilege: GrantablePrivilege;
        readonly objectTypePlural: BulkObjectType;
        readonly containerType: ContainerType;
        readonly container: string;
    };

/**
 * How a grant is found again: a SHOW statement and the columns a row must have. Each column lists
 * the values accepted (compared upper-case, without quotes), since SHOW's spelling of object types
 * is not documented for every type (see GRANT_ROW_ASSUMPTION).
 */
export interface ReadBack {
    readonly show: Statement;
    readonly row: Readonly<Record<string, readonly string[]>>;
}

export interface GrantInputs {
    /** Role the provider connects with; it needs MANAGE GRANTS for future grants. */
    readonly adminRole: string;
    /** The account role receiving the grant. */
    readonly grantee: string;
    /** `MONITOR`, `USAGE`, or `DATABASE ROLE` for a role grant. */
    readonly privilege: string;
    /** The securable as the GRANT names it: `FUTURE AGENTS IN SCHEMA DB.S`, `SNOWFLAKE.CORTEX_USER`. */
    readonly on: string;
    readonly grant: Statement;
    readonly revoke: Statement;
    /**
     * Absent for a grant on ALL objects: it is a one-time grant on each object there now, with no
     * record of its own to read back; the future grant beside it covers later objects.
     */
    readonly readBack?: ReadBack;
}

export type GrantOutputs = GrantInputs;

/**
 * The assumption the read-back rests on, named in one place. SHOW GRANTS TO ROLE lists a granted
 * database role as privilege USAGE, granted_on DATABASE_ROLE, name DB.ROLE; SHOW FUTURE GRANTS
 * lists a future grant on agents with grant_on AGENT (or CORTEX_AGENT). The columns are documented
 * (https://docs.snowflake.com/en/sql-reference/sql/show-grants); these values are not, for these
 * types. The Snowflake Terraform provider reads granted_on with `_` between words
 * (terraform-provider-snowflake `pkg/sdk/grants.go`, which turns DATABASE_ROLE into DATABASE ROLE). Live check: `SHOW GRANTS TO ROLE <owner role>` and `SHOW FUTURE GRANTS IN SCHEMA <agent schema>`
 * after a deployment. A miss never revokes anything: it makes `pulumi refresh` report the grant
 * gone, and the next `up` grants it again.
 */
export const GRANT_ROW_ASSUMPTION = {
    databaseRoleGrantedOn: ["DATABASE_ROLE"],
    futureAgentsGrantOn: ["AGENT", "CORTEX_AGENT"],
    futureSchemasGrantOn: ["SCHEMA"],
} as const;

export interface GrantSettings {
    readonly adminRole: string;
    readonly grantee: string;
    readonly spec: GrantSpec;
}

function oneOf<T extends string>(value: string, allowed: readonly T[], what: string): T {
    if (!(allowed as readonly string[]).includes(value)) {
        throw new Error(`${JSON.stringify(value)} is not a ${what} this resource grants (${allowed.join(", ")})`);
    }
    return value as T;
}

/** Renders the statements of one grant (program side); refuses anything but the listed privileges and types. */
export function grantInputs({ adminRole, grantee, spec }: GrantSettings): GrantInputs {
    const role = ident(grantee);
    const qualified = (name: string) => ident(...name.split("."));
    const showToRole = providerStatement("grants/show_grants_to_role", { GRANTEE: role });
    switch (spec.kind) {
        case "databaseRole": {
            const values = { DATABASE_ROLE: qualified(spec.databaseRole), GRANTEE: role };
            return {
                adminRole, grantee, privilege: "DATABASE ROLE", on: spec.databaseRole,
                grant: providerStatement("grants/grant_database_role", values),
                revoke: providerStatement("grants/revoke_database_role", values),
                readBack: { show: showToRole, row: {
                    granted_on: GRANT_ROW_ASSUMPTION.databaseRoleGrantedOn, name: [spec.databaseRole],
                } },
            };
        }
        case "object": {
            const values = {
                PRIVILEGE: ident(oneOf(spec.privilege, GRANTABLE_PRIVILEGES, "privilege")),
                OBJECT_TYPE: ident(oneOf(spec.objectType, ["DATABASE", "SCHEMA"] as const, "object type")),
                OBJECT: qualified(spec.object),
                GRANTEE: role,
            };
            return {
                adminRole, grantee, privilege: spec.privilege, on: `${spec.objectType} ${spec.object}`,
                grant: providerStatement("grants/grant_on_object", values),
                revoke: providerStatement("grants/revoke_on_object", values),
                readBack: { show: showToRole, row: {
                    privilege: [spec.privilege], granted_on: [spec.objectType], name: [spec.object],
                } },
            };
        }
        case "all":
        case "future": {
            const values = {
                PRIVILEGE: ident(oneOf(spec.privilege, GRANTABLE_PRIVILEGES, "privilege")),
                OBJECT_TYPE_PLURAL: ident(oneOf(spec.objectTypePlural, BULK_OBJECT_TYPES, "object type")),
                CONTAINER_TYPE: ident(oneOf(spec.containerType, ["DATABASE", "SCHEMA"] as const, "container type")),
                CONTAINER: qualified(spec.container),
                GRANTEE: role,
            };
            const scope = spec.kind === "all" ? "ALL" : "FUTURE";
            const base = {
                adminRole, grantee, privilege: spec.privilege,
                on: `${scope} ${spec.objectTypePlural} IN ${spec.containerType} ${spec.container}`,
                grant: providerStatement(`grants/grant_on_${spec.kind}`, values),
                revoke: providerStatement(`grants/revoke_on_${spec.kind}`, values),
            };
            if (spec.kind === "all") {
                return base;
            }
            const grantOn = spec.objectTypePlural === "AGENTS"
                ? GRANT_ROW_ASSUMPTION.futureAgentsGrantOn : GRANT_ROW_ASSUMPTION.futureSchemasGrantOn;
            return {
                ...base,
                readBack: {
                    show: providerStatement("grants/show_future_grants_in", {
                        CONTAINER_TYPE: values.CONTAINER_TYPE, CONTAINER: values.CONTAINER,
                    }),
                    row: { privilege: [spec.privilege], grant_on: grantOn, grantee_name: [grantee] },
                },
            };
        }
    }
}

/** Every statement the inputs hold, for tests and plans that list the SQL a stack runs. */
export function grantStatements(inputs: GrantInputs): Statement[] {
    return [inputs.grant, inputs.revoke, ...(inputs.readBack === undefined ? [] : [inputs.readBack.show])];
}

/** Upper case, without quotes, words joined by `_` (SHOW writes object types as DATABASE_ROLE, DYNAMIC_TABLE). */
const normalise = (value: unknown) => String(value ?? "").replace(/"/g, "").trim().replace(/\s+/g, "_").toUpperCase();

/** Whether a SHOW row is the grant: every expected column holds one of its accepted values. */
export function rowMatches(row: Row, expected: ReadBack["row"]): boolean {
    const columns = Object.fromEntries(Object.entries(row).map(([key, value]) => [key.toLowerCase(), normalise(value)]));
    return Object.entries(expected).every(([column, accepted]) =>
        accepted.map(normalise).includes(columns[column.toLowerCase()] ?? ""));
}

function checkInputs(news: Readonly<Record<string, unknown>>): CheckFailure[] {
    const failures = [
        ...checkIdentifier(news, "adminRole", "ACCOUNTADMIN"),
        ...checkIdentifier(news, "grantee", "SFE_WALLMONITOR_OWNER"),
        ...checkStatement("grant", news.grant),
        ...checkStatement("revoke", news.revoke),
    ];
    const privilege = news.privilege;
    if (privilege !== "DATABASE ROLE" && !(GRANTABLE_PRIVILEGES as readonly unknown[]).includes(privilege)) {
        failures.push({ property: "privilege", reason: `${JSON.stringify(privilege)} is not granted by this resource; ` +
            `use one of ${GRANTABLE_PRIVILEGES.join(", ")} or DATABASE ROLE, rendered with grantInputs().` });
    }
    if (typeof news.on !== "string" || !news.on.split(" ").every((word) => IDENTIFIER_PATTERN.test(word) ||
        word.split(".").every((part) => IDENTIFIER_PATTERN.test(part)))) {
        failures.push({ property: "on", reason: "must name the securable in unquoted UPPERCASE words and identifiers; " +
            "render it with grantInputs()." });
    }
    const grant = news.grant as Partial<Statement> | undefined;
    if (typeof grant?.text === "string" && typeof news.grantee === "string" &&
        !new RegExp(`\\bTO ROLE ${news.grantee}\\s*$`).test(grant.text)) {
        failures.push({ property: "grant", reason: `the statement does not grant to ${news.grantee}; render it with grantInputs().` });
    }
    const readBack = news.readBack as Partial<ReadBack> | undefined;
    if (readBack !== undefined) {
        failures.push(...checkStatement("readBack", readBack.show));
        const row = readBack.row;
        if (row === null || typeof row !== "object" || Object.keys(row).length === 0 ||
            !Object.values(row).every((values) => Array.isArray(values) && values.length > 0)) {
            failures.push({ property: "readBack", reason: "must list the columns a SHOW row has for this grant; render it with grantInputs()." });
        }
    }
    return failures;
}

const tolerateMissing = (failure: { code: string }) => failure.code === OBJECT_MISSING;

export const grantKind: ResourceKind<GrantInputs, GrantOutputs> = {
    description: "a grant",
    properties: {
        // Who connects is not what is granted.
        adminRole: "none",
        // Another grantee, privilege or securable is another grant: the new one is made, then the old revoked.
        grantee: "replace",
        privilege: "replace",
        on: "replace",
        // The same grant rendered anew (a comment in its file): granting again is harmless.
        grant: "update",
        revoke: "update",
        readBack: "update",
    },
    check: checkInputs,
    session: (inputs) => ({ role: inputs.adminRole }),

    async create(session, inputs) {
        await session.run(inputs.grant);
        return { id: `${inputs.grantee}:${inputs.privilege} ON ${inputs.on}`, outs: inputs };
    },

    async read(session, _id, state) {
        if (state.readBack === undefined) {
            return state;
        }
        // A grantee or container that is gone means the grant is gone too.
        const result = await session.tryRun(state.readBack.show, tolerateMissing);
        if ("failure" in result) {
            return undefined;
        }
        return result.rows.some((row) => rowMatches(row, state.readBack!.row)) ? state : undefined;
    },

    async update(session, _id, _olds, news, changed) {
        if (changed.includes("grant")) {
            await session.run(news.grant);
        }
        return news;
    },

    async delete(session, _id, state) {
        await session.tryRun(state.revoke, tolerateMissing);
    },
};

const provider = snowflakeProvider(grantKind);

/** The resource's arguments: its resolved inputs, each of which may be an Output. */
export type GrantArgs = { readonly [K in keyof GrantInputs]: pulumi.Input<GrantInputs[K]> };

/** See the module comment; build its args with `grantInputs`. */
export class Grant extends pulumi.dynamic.Resource {
    declare readonly grantee: pulumi.Output<string>;
    declare readonly privilege: pulumi.Output<string>;
    declare readonly on: pulumi.Output<string>;

    constructor(name: string, args: GrantArgs, opts?: pulumi.CustomResourceOptions) {
        super(provider, name, { readBack: undefined, ...args }, opts, "wallmonitor", "Grant");
    }
}
