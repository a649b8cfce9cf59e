import * as pulumi from "@pulumi/pulumi";
import * as snowflake from "@pulumi/snowflake";

import { WallmonitorConfig } from "../lib/config/stack";
import { childName, childOptions } from "../lib/pulumi/naming";

export interface PlatformArgs {
    readonly config: WallmonitorConfig;
    /** Provider of the administrative role that creates account-level objects. */
    readonly adminProvider: pulumi.ProviderResource;
}

/**
 * The account-level containers Wallmonitor runs in: its database and its warehouse, created
 * by the administrative role, or taken as they are when the stack reuses existing ones.
 */
export class Platform extends pulumi.ComponentResource {
    /** Created database, or undefined when an existing one is used. */
    readonly database?: snowflake.Database;
    /** Created warehouse, or undefined when an existing one is used. */
    readonly warehouse?: snowflake.Warehouse;
    readonly databaseName: string;
    readonly warehouseName: string;

    constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("wallmonitor:platform:Platform", name, {}, opts);
        const { config } = args;
        // Account objects, retained on delete: a stack that stops declaring them (a move to a bootstrap stack, a
        // change of wallmonitor:deployment) forgets them and leaves them in Snowflake (components/access.ts).
        const child = { ...childOptions(this, args.adminProvider), retainOnDelete: true };
        this.databaseName = config.database;
        this.warehouseName = config.warehouse;

        if (config.createDatabase) {
            this.database = new snowflake.Database(childName(name, config.database), {
                name: config.database,
                comment: config.comment,
            }, { ...child, protect: true });
        }
        if (config.createWarehouse) {
            // Dynamic tables and the dashboard use it; ingestion is serverless.
            this.warehouse = new snowflake.Warehouse(childName(name, config.warehouse), {
                name: config.warehouse,
                warehouseSize: config.warehouseSize,
                autoSuspend: config.warehouseAutoSuspendSeconds,
                autoResume: "true",
                initiallySuspended: true,
                comment: config.comment,
            }, child);
        }
        this.registerOutputs({ databaseName: this.databaseName, warehouseName: this.warehouseName });
    }
}
