import * as pulumi from "@pulumi/pulumi";
import * as snowflake from "@pulumi/snowflake";

import { ConnectionConfig, WallmonitorConfig } from "../config/stack";

/**
 * Preview resources of @pulumi/snowflake 1.3.0 that Wallmonitor uses, per provider. The
 * stack-level `snowflake:previewFeaturesEnabled` is ignored once a provider is explicit, so
 * each provider lists exactly what its resources need (a test keeps the lists exact).
 */
export const ADMIN_PREVIEW_FEATURES: readonly string[] = [];
export const OWNER_PREVIEW_FEATURES: readonly string[] = [
    "snowflake_dynamic_table_resource",
    "snowflake_table_resource",
];

export interface RoleProviders {
    /**
     * Bootstraps roles, account-level grants, the database and the warehouse; absent on a monitoring stack,
     * whose deploy key never holds the admin role.
     */
    readonly admin?: snowflake.Provider;
    /** wallmonitor:deployAdminRole's provider, where a central monitoring part creates databases from shares. */
    readonly deployAdmin?: snowflake.Provider;
    /** Creates and so owns every schema object; ingestion runs with its privileges. Absent on a bootstrap stack. */
    readonly owner?: snowflake.Provider;
}

/**
 * An explicit Snowflake provider for one role, enabling exactly `features`. A preview by the least-privilege
 * preview identity (connection.previewRole, from wallmonitor:previewRole) connects with that role instead: it
 * cannot assume the owner or admin role, and a preview changes nothing.
 */
export function provider(name: string, role: string, features: readonly string[], connection: ConnectionConfig,
                  opts?: pulumi.CustomResourceOptions): snowflake.Provider {
    return new snowflake.Provider(name, {
        organizationName: connection.organizationName,
        accountName: connection.accountName,
        user: connection.user,
        authenticator: connection.authenticator,
        privateKey: connection.privateKey,
        privateKeyPassphrase: connection.privateKeyPassphrase,
        password: connection.password,
        role: connection.previewRole ?? role,
        previewFeaturesEnabled: [...features],
    }, opts);
}

/**
 * One explicit provider per role, in the pattern of Snowflake-Labs' Terraform modules. A bootstrap stack
 * declares nothing as the owner; a monitoring stack has no admin provider, and a deploy-admin provider
 * (wallmonitor:deployAdminRole) only for the databases a central account creates from shares.
 */
export function createRoleProviders(name: string, config: WallmonitorConfig, connection: ConnectionConfig,
                                    opts?: pulumi.CustomResourceOptions): RoleProviders {
    const central = config.accountRole === "central";
    return {
        admin: config.deployment === "monitoring" ? undefined
            : provider(`${name}-admin`, config.adminRole, ADMIN_PREVIEW_FEATURES, connection, opts),
        deployAdmin: central && config.deployAdminRole !== undefined && config.deployment !== "bootstrap"
            ? provider(`${name}-deploy-admin`, config.deployAdminRole, ADMIN_PREVIEW_FEATURES, connection, opts) : undefined,
        owner: config.deployment === "bootstrap" ? undefined
            : provider(`${name}-owner`, config.ownerRole, OWNER_PREVIEW_FEATURES, connection, opts),
    };
}
