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
    /** Bootstraps roles, account-level grants, the database and the warehouse. */
    readonly admin: snowflake.Provider;
    /** Creates and so owns every schema object; ingestion runs with its privileges. */
    readonly owner: snowflake.Provider;
}

/** An explicit Snowflake provider for one role, enabling exactly `features`. */
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
        role,
        previewFeaturesEnabled: [...features],
    }, opts);
}

/** One explicit provider per role, in the pattern of Snowflake-Labs' Terraform modules. */
export function createRoleProviders(name: string, config: WallmonitorConfig, connection: ConnectionConfig,
                                    opts?: pulumi.CustomResourceOptions): RoleProviders {
    return {
        admin: provider(`${name}-admin`, config.adminRole, ADMIN_PREVIEW_FEATURES, connection, opts),
        owner: provider(`${name}-owner`, config.ownerRole, OWNER_PREVIEW_FEATURES, connection, opts),
    };
}
