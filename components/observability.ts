import * as pulumi from "@pulumi/pulumi";

import { AgentLocation, agentLocationName, WallmonitorConfig } from "../lib/config/stack";
import { childName } from "../lib/pulumi/naming";
import { AiObservabilityAccess, aiObservabilityAccessInputs } from "../provider/aiObservabilityAccess";
import { Grant, grantInputs, GrantSpec } from "../provider/grant";

/**
 * What the owner role needs on one agent location (wallmonitor:agentLocations) to read its agents
 * one by one: MONITOR on each agent, and a privilege on the agent's database and schema
 * (https://docs.snowflake.com/en/sql-reference/functions/get_ai_observability_events-snowflake-local);
 * MONITOR also makes SHOW AGENTS list them (https://docs.snowflake.com/en/sql-reference/sql/show-agents).
 * On ALL agents there now and on FUTURE ones (https://docs.snowflake.com/en/sql-reference/sql/grant-privilege).
 * Nothing account-wide. The owner role already holds USAGE on Wallmonitor's own database and owns
 * its schema (components/access.ts): granting those again here would make this resource's REVOKE
 * take away a privilege another resource declared.
 */
export function agentLocationGrants(location: AgentLocation, config: Pick<WallmonitorConfig, "database" | "schema">): GrantSpec[] {
    const monitor = (kind: "all" | "future", containerType: "DATABASE" | "SCHEMA", container: string): GrantSpec =>
        ({ kind, privilege: "MONITOR", objectTypePlural: "AGENTS", containerType, container });
    const specs: GrantSpec[] = [];
    if (location.database !== config.database) {
        specs.push({ kind: "object", privilege: "USAGE", objectType: "DATABASE", object: location.database });
    }
    if (location.schema === undefined) {
        specs.push(
            { kind: "all", privilege: "USAGE", objectTypePlural: "SCHEMAS", containerType: "DATABASE", container: location.database },
            { kind: "future", privilege: "USAGE", objectTypePlural: "SCHEMAS", containerType: "DATABASE", container: location.database },
            monitor("all", "DATABASE", location.database),
            monitor("future", "DATABASE", location.database),
        );
    } else {
        const schema = agentLocationName(location);
        if (schema !== `${config.database}.${config.schema}`) {
            specs.push({ kind: "object", privilege: "USAGE", objectType: "SCHEMA", object: schema });
        }
        specs.push(monitor("all", "SCHEMA", schema), monitor("future", "SCHEMA", schema));
    }
    return specs;
}

/** A resource-name suffix for a grant: `monitor-future-agents-in-snowflake-intelligence-agents`. */
function grantSuffix(spec: GrantSpec): string {
    switch (spec.kind) {
        case "databaseRole":
            return spec.databaseRole.replace(/\./g, "_");
        case "object":
            return `${spec.privilege}_on_${spec.objectType}_${spec.object.replace(/\./g, "_")}`;
        default:
            return `${spec.privilege}_${spec.kind}_${spec.objectTypePlural}_in_${spec.container.replace(/\./g, "_")}`;
    }
}

export interface ObservabilityAccessArgs {
    readonly config: WallmonitorConfig;
    /**
     * SNOWFLAKE application roles to try, in order; the first the account has is granted.
     * Defaults to SNOWFLAKE.AI_OBSERVABILITY_READER, then the older SNOWFLAKE.AI_OBSERVABILITY_EVENTS_LOOKUP.
     */
    readonly readerRoles?: readonly string[];
    /** The owner role, its grant to the parent role and its warehouse grant: the probes need them. */
    readonly dependsOn?: pulumi.Resource[];
}

/**
 * Lets the owner role read Cortex Agent events, and reports what it can read: the event table
 * through SNOWFLAKE's reader application role, and the agents in wallmonitor:agentLocations one by
 * one (agentLocationGrants). The grant runs as
 * the admin role, through Wallmonitor's own provider (see provider/aiObservabilityAccess.ts)
 * because the Snowflake provider cannot grant SNOWFLAKE.* application roles reliably. Missing
 * access is a warning on the deployment and a false output, not a failure.
 */
export class ObservabilityAccess extends pulumi.ComponentResource {
    readonly access: AiObservabilityAccess;
    /** The application role granted to the owner role, or false. */
    readonly readerRoleGranted: pulumi.Output<string | false>;
    readonly eventTableReadable: pulumi.Output<boolean>;
    readonly eventFunctionReadable: pulumi.Output<boolean>;
    readonly usageHistoryReadable: pulumi.Output<boolean>;
    readonly probedAt: pulumi.Output<string>;
    readonly warnings: pulumi.Output<string[]>;
    /** The grants on wallmonitor:agentLocations, as the admin role makes them (none when it is unset). */
    readonly agentGrants: readonly Grant[];

    constructor(name: string, args: ObservabilityAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("wallmonitor:observability:ObservabilityAccess", name, {}, opts);
        const { config } = args;

        this.access = new AiObservabilityAccess(childName(name, "AI_OBSERVABILITY_ACCESS"), aiObservabilityAccessInputs({
            adminRole: config.adminRole,
            ownerRole: config.ownerRole,
            warehouse: config.warehouse,
            readerRoles: args.readerRoles,
        }), { parent: this, dependsOn: args.dependsOn });

        this.agentGrants = (config.agentLocations ?? []).flatMap((location) => agentLocationGrants(location, config))
            .map((spec) => new Grant(childName(name, grantSuffix(spec)), grantInputs({
                adminRole: config.adminRole,
                grantee: config.ownerRole,
                spec,
            }), { parent: this, dependsOn: args.dependsOn }));

        this.readerRoleGranted = this.access.readerRoleGranted;
        this.eventTableReadable = this.access.eventTableReadable;
        this.eventFunctionReadable = this.access.eventFunctionReadable;
        this.usageHistoryReadable = this.access.usageHistoryReadable;
        this.probedAt = this.access.probedAt;
        this.warnings = this.access.warnings;
        // The provider cannot log to the deployment; it returns its warnings and they are shown here.
        this.warnings.apply((warnings) => warnings?.forEach((warning) => pulumi.log.warn(warning, this)));

        this.registerOutputs({
            readerRoleGranted: this.readerRoleGranted,
            eventTableReadable: this.eventTableReadable,
            eventFunctionReadable: this.eventFunctionReadable,
            usageHistoryReadable: this.usageHistoryReadable,
            probedAt: this.probedAt,
            warnings: this.warnings,
        });
    }
}
