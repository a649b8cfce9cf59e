import * as pulumi from "@pulumi/pulumi";

import { WallmonitorConfig } from "../lib/config";
import { childName } from "../lib/naming";
import { AiObservabilityAccess, aiObservabilityAccessInputs } from "../provider/aiObservabilityAccess";

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
 * Lets the owner role read Cortex Agent events, and reports what it can read. The grant runs as
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

    constructor(name: string, args: ObservabilityAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("wallmonitor:observability:ObservabilityAccess", name, {}, opts);
        const { config } = args;

        this.access = new AiObservabilityAccess(childName(name, "AI_OBSERVABILITY_ACCESS"), aiObservabilityAccessInputs({
            adminRole: config.adminRole,
            ownerRole: config.ownerRole,
            warehouse: config.warehouse,
            readerRoles: args.readerRoles,
        }), { parent: this, dependsOn: args.dependsOn });

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
