import * as pulumi from "@pulumi/pulumi";
import * as snowflake from "@pulumi/snowflake";

import { SqlCatalog } from "../lib/sql/catalog";
import { WallmonitorConfig } from "../lib/config/stack";
import { childName, childOptions, quotedName } from "../lib/pulumi/naming";

export interface CostArgs {
    readonly config: WallmonitorConfig;
    /** Its slice of the stack's catalog: the cost views, and the registry that says who reads them. */
    readonly sql: Pick<SqlCatalog, "cost" | "registry">;
    /** Provider of the owner role, which owns the views (and reads ACCOUNT_USAGE through SNOWFLAKE.USAGE_VIEWER). */
    readonly ownerProvider: pulumi.ProviderResource;
    readonly viewerRoleName: pulumi.Input<string>;
    /** The history table the views read, and the owner's grant of SNOWFLAKE.USAGE_VIEWER (components/access.ts). */
    readonly dependsOn?: pulumi.Resource[];
}

/**
 * Cost tracking and chargeback: views from the event history and
 * SNOWFLAKE.ACCOUNT_USAGE.CORTEX_AGENT_USAGE_HISTORY to a per-request cost ledger (actual where
 * the usage view has the request, estimated from the configured rate table where it has not),
 * and the views over it: cost per day and month by team, agent, user and model, the
 * reconciliation of estimated against actual, and the threads by cost. The viewer role reads
 * the aggregates only (readers: viewer in sql/cost/models.yml), never the per-request views.
 */
export class Cost extends pulumi.ComponentResource {
    readonly views: Readonly<Record<string, snowflake.View>>;

    constructor(name: string, args: CostArgs, opts?: pulumi.ComponentResourceOptions) {
        super("wallmonitor:cost:Cost", name, {}, opts);
        const { config, sql } = args;
        const views: Record<string, snowflake.View> = {};
        // sql.cost is in creation order: each view reads only the cost views before it.
        const viewNames = Object.keys(sql.cost);
        for (const viewName of viewNames) {
            const reads = sql.cost[viewName].refs.filter((read) => viewNames.includes(read)).map((read) => {
                const view = views[read];
                if (view === undefined) {
                    throw new Error(`${read} must be declared before ${viewName}, which reads it`);
                }
                return view;
            });
            views[viewName] = new snowflake.View(childName(name, viewName), {
                database: config.database,
                schema: config.schema,
                name: viewName,
                statement: sql.cost[viewName].text,
                comment: config.comment,
                // COPY GRANTS on every CREATE OR REPLACE the provider runs for a changed statement;
                // without it the grants on the view vanish until the next up
                // (terraform-provider-snowflake pkg/resources/view.go).
                copyGrants: true,
            }, childOptions(this, args.ownerProvider, [...(args.dependsOn ?? []), ...reads]));
        }
        this.views = views;

        for (const viewName of viewNames.filter((candidate) => sql.registry.model(candidate).readers.includes("viewer"))) {
            new snowflake.GrantPrivilegesToAccountRole(childName(name, `viewer_select_${viewName}`), {
                accountRoleName: args.viewerRoleName,
                onSchemaObject: { objectType: "VIEW", objectName: quotedName(config.database, config.schema, viewName) },
                privileges: ["SELECT"],
            }, childOptions(this, args.ownerProvider, [...(args.dependsOn ?? []), this.views[viewName]]));
        }
        this.registerOutputs({ views: viewNames });
    }
}
