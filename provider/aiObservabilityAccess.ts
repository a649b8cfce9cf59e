import * as pulumi from "@pulumi/pulumi";

import { ident, literal } from "../lib/sql/render";
import { Session } from "./connection";
import { OBJECT_MISSING } from "./errors";
import { checkIdentifier, checkStatement, CheckFailure, ResourceKind, snowflakeProvider } from "./resource";
import { providerStatement, Statement } from "./statements";

/**
 * AI-observability access: grants the owner role SNOWFLAKE's application role for reading
 * Cortex Agent events, then probes, as the owner role alone, what it can actually read.
 *
 * A missing application role or an unreadable source never fails the deployment: it becomes a
 * `false` output and a warning, because accounts differ in which of these Snowflake has rolled
 * out, and the rest of Wallmonitor still deploys.
 */

/** Snowflake objects this resource grants or probes. Names from Snowflake's docs; see snowflake-domain.md §1–2. */
export const AI_OBSERVABILITY = {
    /** Preferred first; `AI_OBSERVABILITY_EVENTS_LOOKUP` is the older name some accounts still have. */
    readerRoles: ["SNOWFLAKE.AI_OBSERVABILITY_READER", "SNOWFLAKE.AI_OBSERVABILITY_EVENTS_LOOKUP"],
    eventTable: "SNOWFLAKE.LOCAL.AI_OBSERVABILITY_EVENTS",
    eventFunction: "SNOWFLAKE.LOCAL.GET_AI_OBSERVABILITY_EVENTS",
    usageHistory: "SNOWFLAKE.ACCOUNT_USAGE.CORTEX_AGENT_USAGE_HISTORY",
    /**
     * The agent the function probe asks for; it must not exist. An error naming it shows the
     * function ran far enough to look the agent up (unverified: the exact error on a live account).
     */
    probeAgent: { database: "SNOWFLAKE", schema: "LOCAL", name: "WALLMONITOR_ACCESS_PROBE" },
} as const;

export interface ApplicationRoleGrant {
    /** `SNOWFLAKE.<ROLE>`. */
    readonly applicationRole: string;
    readonly grant: Statement;
    readonly revoke: Statement;
}

export interface Probe {
    /** The object probed, named in warnings. */
    readonly object: string;
    readonly statement: Statement;
    /** A SQL error whose message contains this still proves access (the probe asked for something absent). */
    readonly reachableIfErrorMentions?: string;
}

export interface AiObservabilityAccessInputs {
    /** Role the provider connects with; it grants the application role. */
    readonly adminRole: string;
    /** Role that receives the grant and whose access is probed. */
    readonly ownerRole: string;
    /** Warehouse for the probes; the owner role needs USAGE on it. */
    readonly warehouse?: string;
    /** Application roles to try, in order of preference; the first that exists is granted. */
    readonly readerRoles: readonly ApplicationRoleGrant[];
    /** Statements that leave the session with the owner role's privileges and no others. */
    readonly assumeOwnerRole: readonly Statement[];
    readonly probes: {
        readonly eventTable: Probe;
        readonly eventFunction: Probe;
        readonly usageHistory: Probe;
    };
}

export interface AiObservabilityAccessOutputs extends AiObservabilityAccessInputs {
    /** The application role granted to the owner role, or false when the account has none of them. */
    readonly readerRoleGranted: string | false;
    readonly eventTableReadable: boolean;
    readonly eventFunctionReadable: boolean;
    readonly usageHistoryReadable: boolean;
    /** When the probes last ran (ISO 8601). */
    readonly probedAt: string;
    /** What an operator should know: a missing application role, an unreadable source. */
    readonly warnings: readonly string[];
}

type ProbeName = keyof AiObservabilityAccessInputs["probes"];
const PROBE_NAMES: readonly ProbeName[] = ["eventTable", "eventFunction", "usageHistory"];

export interface AiObservabilityAccessSettings {
    /** Role the provider connects with and grants from. */
    readonly adminRole: string;
    /** Role that receives the grant and whose access is probed. */
    readonly ownerRole: string;
    /** Warehouse for the probes. Defaults to the connection's (snowflake:warehouse or SNOWFLAKE_WAREHOUSE). */
    readonly warehouse?: string;
    /** `SNOWFLAKE.<ROLE>` application roles to try, in order. Defaults to AI_OBSERVABILITY.readerRoles. */
    readonly readerRoles?: readonly string[];
}

/** Renders every statement of the resource (program side) from sql/provider/. */
export function aiObservabilityAccessInputs(args: AiObservabilityAccessSettings): AiObservabilityAccessInputs {
    const role = ident(args.ownerRole);
    const qualified = (name: string) => ident(...name.split("."));
    const { probeAgent } = AI_OBSERVABILITY;
    const select = (object: string): Probe => ({
        object,
        statement: providerStatement("probe_select", { OBJECT: qualified(object) }),
    });
    return {
        adminRole: args.adminRole,
        ownerRole: args.ownerRole,
        warehouse: args.warehouse,
        readerRoles: (args.readerRoles ?? AI_OBSERVABILITY.readerRoles).map((applicationRole) => ({
            applicationRole,
            grant: providerStatement("grant_application_role", { APPLICATION_ROLE: qualified(applicationRole), ROLE: role }),
            revoke: providerStatement("revoke_application_role", { APPLICATION_ROLE: qualified(applicationRole), ROLE: role }),
        })),
        assumeOwnerRole: [
            providerStatement("use_role", { ROLE: role }),
            providerStatement("use_no_secondary_roles", {}),
        ],
        probes: {
            eventTable: select(AI_OBSERVABILITY.eventTable),
            eventFunction: {
                object: AI_OBSERVABILITY.eventFunction,
                statement: providerStatement("probe_event_function", {
                    FUNCTION: qualified(AI_OBSERVABILITY.eventFunction),
                    AGENT_DATABASE: literal(probeAgent.database),
                    AGENT_SCHEMA: literal(probeAgent.schema),
                    AGENT_NAME: literal(probeAgent.name),
                }),
                reachableIfErrorMentions: probeAgent.name,
            },
            usageHistory: select(AI_OBSERVABILITY.usageHistory),
        },
    };
}

/** Every statement the inputs hold, for tests and plans that list the SQL a stack runs. */
export function aiObservabilityAccessStatements(inputs: AiObservabilityAccessInputs): Statement[] {
    return [
        ...inputs.readerRoles.flatMap((candidate) => [candidate.grant, candidate.revoke]),
        ...inputs.assumeOwnerRole,
        ...Object.values(inputs.probes).map((probe) => probe.statement),
    ];
}

function checkInputs(news: Readonly<Record<string, unknown>>): CheckFailure[] {
    const readerRoles = news.readerRoles as readonly Partial<ApplicationRoleGrant>[] | undefined;
    const assumeOwnerRole = news.assumeOwnerRole as readonly unknown[] | undefined;
    const probes = (news.probes ?? {}) as Partial<Record<ProbeName, Partial<Probe>>>;
    const failures = [
        ...checkIdentifier(news, "adminRole", "ACCOUNTADMIN"),
        ...checkIdentifier(news, "ownerRole", "SFE_WALLMONITOR_OWNER"),
        ...checkIdentifier(news, "warehouse", "SFE_WALLMONITOR_WH", true),
    ];
    if (!Array.isArray(readerRoles) || readerRoles.length === 0) {
        failures.push({ property: "readerRoles", reason: "name at least one application role to grant, such as " +
            `${AI_OBSERVABILITY.readerRoles[0]}; render them with aiObservabilityAccessInputs().` });
    } else {
        readerRoles.forEach((candidate, index) => {
            if (!/^SNOWFLAKE\.[A-Z_][A-Z0-9_]*$/.test(String(candidate.applicationRole))) {
                failures.push({ property: "readerRoles", reason: `entry ${index}: ${JSON.stringify(candidate.applicationRole)} ` +
                    "is not an application role of the SNOWFLAKE application (SNOWFLAKE.<ROLE>)." });
            }
            failures.push(...checkStatement("readerRoles", candidate.grant), ...checkStatement("readerRoles", candidate.revoke));
        });
    }
    if (!Array.isArray(assumeOwnerRole) || assumeOwnerRole.length === 0) {
        failures.push({ property: "assumeOwnerRole", reason: "give the statements that switch the session to the owner role " +
            "(USE ROLE, USE SECONDARY ROLES NONE); without them the probes would run as the admin role." });
    } else {
        failures.push(...assumeOwnerRole.flatMap((statement) => checkStatement("assumeOwnerRole", statement)));
    }
    for (const name of PROBE_NAMES) {
        const probe = probes[name];
        if (typeof probe?.object !== "string") {
            failures.push({ property: "probes", reason: `probes.${name} is missing its object name; render it with aiObservabilityAccessInputs().` });
        }
        failures.push(...checkStatement("probes", probe?.statement));
    }
    return failures;
}

/** The warning for an account where no reader role could be granted; the same text on every run. */
function noReaderRoleWarning(inputs: AiObservabilityAccessInputs): string {
    const names = inputs.readerRoles.map((candidate) => candidate.applicationRole).join(" or ");
    return `No reader application role (${names}) could be granted to ${inputs.ownerRole}: this account does not ` +
        `have it, or ${inputs.adminRole} cannot see it (Snowflake ${OBJECT_MISSING}). Ingestion cannot read Cortex ` +
        "Agent events until an administrator grants one; the rest of Wallmonitor deploys.";
}

/** Grants the first reader role the account has; undefined when it has none. */
async function grantReaderRole(session: Session, inputs: AiObservabilityAccessInputs): Promise<ApplicationRoleGrant | undefined> {
    for (const candidate of inputs.readerRoles) {
        const result = await session.tryRun(candidate.grant, (failure) => failure.code === OBJECT_MISSING);
        if (!("failure" in result)) {
            return candidate;
        }
    }
    return undefined;
}

/** Revokes a grant this resource made; an application role or grantee that is already gone counts as revoked. */
async function revoke(session: Session, grant: ApplicationRoleGrant): Promise<void> {
    await session.tryRun(grant.revoke, (failure) => failure.code === OBJECT_MISSING);
}

/** Runs one probe; returns undefined when the owner role can read the source, else the warning. */
async function runProbe(session: Session, ownerRole: string, probe: Probe): Promise<string | undefined> {
    const result = await session.tryRun(probe.statement, () => true);
    if (!("failure" in result)) {
        return undefined;
    }
    const { code, message } = result.failure;
    if (probe.reachableIfErrorMentions !== undefined && message.includes(probe.reachableIfErrorMentions)) {
        return undefined;
    }
    return `${ownerRole} cannot read ${probe.object} (Snowflake ${code}: ${message.replace(/\s+/g, " ").trim()}).`;
}

/** Switches the session to the owner role alone, probes every source, and states the outputs. */
async function probeAccess(session: Session, inputs: AiObservabilityAccessInputs,
                           granted: ApplicationRoleGrant | undefined): Promise<AiObservabilityAccessOutputs> {
    for (const statement of inputs.assumeOwnerRole) {
        await session.run(statement);
    }
    const eventTable = await runProbe(session, inputs.ownerRole, inputs.probes.eventTable);
    const eventFunction = await runProbe(session, inputs.ownerRole, inputs.probes.eventFunction);
    const usageHistory = await runProbe(session, inputs.ownerRole, inputs.probes.usageHistory);
    return {
        ...inputs,
        readerRoleGranted: granted?.applicationRole ?? false,
        eventTableReadable: eventTable === undefined,
        eventFunctionReadable: eventFunction === undefined,
        usageHistoryReadable: usageHistory === undefined,
        probedAt: new Date().toISOString(),
        warnings: [granted === undefined ? noReaderRoleWarning(inputs) : undefined, eventTable, eventFunction, usageHistory]
            .filter((warning): warning is string => warning !== undefined),
    };
}

/** Grants, drops a grant that is no longer the right one, then probes: shared by create and update. */
async function grantAndProbe(session: Session, inputs: AiObservabilityAccessInputs, previous: ApplicationRoleGrant | undefined,
                             onGranted: (grant: ApplicationRoleGrant) => void): Promise<AiObservabilityAccessOutputs> {
    const granted = await grantReaderRole(session, inputs);
    if (granted !== undefined) {
        onGranted(granted);
    }
    if (previous !== undefined && previous.applicationRole !== granted?.applicationRole) {
        await revoke(session, previous);
    }
    return probeAccess(session, inputs, granted);
}

/** The grant recorded in a resource's state, if any. */
function recordedGrant(state: AiObservabilityAccessOutputs): ApplicationRoleGrant | undefined {
    return state.readerRoleGranted === false ? undefined
        : state.readerRoles.find((candidate) => candidate.applicationRole === state.readerRoleGranted);
}

export const aiObservabilityAccessKind: ResourceKind<AiObservabilityAccessInputs, AiObservabilityAccessOutputs> = {
    description: "AI-observability access",
    properties: {
        adminRole: "update",
        // The grant belongs to the owner role: another role is another grant.
        ownerRole: "replace",
        warehouse: "update",
        readerRoles: "update",
        assumeOwnerRole: "update",
        probes: "update",
    },
    check: checkInputs,
    session: (inputs) => ({ role: inputs.adminRole, warehouse: inputs.warehouse }),

    async create(session, inputs, cleanup) {
        // From here on the grant is this resource's, even if an administrator made it before:
        // a failed create undoes it, and delete revokes it.
        const outs = await grantAndProbe(session, inputs, undefined, (grant) => cleanup.onFailure(grant.revoke));
        return { id: `${inputs.ownerRole}:ai-observability-access`, outs };
    },

    async read(session, _id, state) {
        return probeAccess(session, state, recordedGrant(state));
    },

    async update(session, _id, olds, news) {
        return grantAndProbe(session, news, recordedGrant(olds), () => undefined);
    },

    async delete(session, _id, state) {
        const grant = recordedGrant(state);
        if (grant !== undefined) {
            await revoke(session, grant);
        }
    },
};

const provider = snowflakeProvider(aiObservabilityAccessKind);

/** The resource's arguments: its resolved inputs, each of which may be an Output. */
export type AiObservabilityAccessArgs = { readonly [K in keyof AiObservabilityAccessInputs]: pulumi.Input<AiObservabilityAccessInputs[K]> };

/** See the module comment; build its args with `aiObservabilityAccessInputs`. */
export class AiObservabilityAccess extends pulumi.dynamic.Resource {
    declare readonly ownerRole: pulumi.Output<string>;
    declare readonly readerRoleGranted: pulumi.Output<string | false>;
    declare readonly eventTableReadable: pulumi.Output<boolean>;
    declare readonly eventFunctionReadable: pulumi.Output<boolean>;
    declare readonly usageHistoryReadable: pulumi.Output<boolean>;
    declare readonly probedAt: pulumi.Output<string>;
    declare readonly warnings: pulumi.Output<string[]>;

    constructor(name: string, args: AiObservabilityAccessArgs, opts?: pulumi.CustomResourceOptions) {
        super(provider, name, {
            ...args,
            readerRoleGranted: undefined,
            eventTableReadable: undefined,
            eventFunctionReadable: undefined,
            usageHistoryReadable: undefined,
            probedAt: undefined,
            warnings: undefined,
        }, opts, "wallmonitor", "AiObservabilityAccess");
    }
}
