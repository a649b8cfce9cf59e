import * as pulumi from "@pulumi/pulumi";
import * as snowflake from "@pulumi/snowflake";

import { dashboardModels, DynamicTableName, SqlCatalog, ViewName } from "../lib/sql/catalog";
import { viewerReads } from "../lib/sql/registry";
import { dynamicTableLagMinutes, WallmonitorConfig } from "../lib/config/stack";
import { childName, childOptions, quotedName } from "../lib/pulumi/naming";

export interface DashboardsArgs {
    readonly config: WallmonitorConfig;
    /** Its slice of the stack's catalog: views and dynamic tables, and the registry that orders and grants them. */
    readonly sql: Pick<SqlCatalog, "views" | "dynamicTables" | "registry">;
    readonly ownerProvider: pulumi.ProviderResource;
    readonly viewerRoleName: pulumi.Input<string>;
    /** The tables the views read. */
    readonly dependsOn?: pulumi.Resource[];
}

/** The only privilege the viewer role receives on schema objects. */
export const VIEWER_OBJECT_PRIVILEGES = ["SELECT"];

/**
 * The reference's dashboard views (same names and columns), the dynamic tables behind the
 * *_RECENT rollups and the monthly latency histograms, and the viewer role's read access, all as the registry declares them
 * (sql/<area>/models.yml): each object is created after the ones its SQL reads (`{{ref}}`), and
 * the viewer may read what lists viewer among its readers, never a view with conversation text.
 */
export class Dashboards extends pulumi.ComponentResource {
    readonly views: Readonly<Record<ViewName, snowflake.View>>;
    readonly dynamicTables: Readonly<Record<DynamicTableName, snowflake.DynamicTable>>;

    constructor(name: string, args: DashboardsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("wallmonitor:dashboards:Dashboards", name, {}, opts);
        const { config, sql } = args;
        const ownObjects = [...Object.keys(sql.views), ...Object.keys(sql.dynamicTables)];
        const created: Partial<Record<ViewName | DynamicTableName, pulumi.Resource>> = {};
        // Tables the SQL reads come from the storage component (dependsOn); views and dynamic tables from here.
        const after = (reads: readonly string[]) =>
            childOptions(this, args.ownerProvider, [...(args.dependsOn ?? []), ...reads.filter((read) => ownObjects.includes(read))
                .map((read) => {
                    const resource = created[read];
                    if (resource === undefined) {
                        throw new Error(`${read} must be declared before the objects that read it`);
                    }
                    return resource;
                })]);

        const view = (viewName: ViewName) => {
            const resource = new snowflake.View(childName(name, viewName), {
                database: config.database,
                schema: config.schema,
                name: viewName,
                statement: sql.views[viewName].text,
                comment: config.comment,
                // COPY GRANTS on every CREATE OR REPLACE the provider runs for a changed statement;
                // without it the grants on the view vanish until the next up
                // (terraform-provider-snowflake pkg/resources/view.go).
                copyGrants: true,
                // Snowflake turns change tracking on for a view an INCREMENTAL dynamic table reads;
                // the provider reads it back, so the config says so too or every up turns it off.
                ...(readByIncrementalDynamicTable(viewName) ? { changeTracking: "true" } : {}),
            }, after(sql.views[viewName].refs));
            created[viewName] = resource;
            return resource;
        };
        const readByIncrementalDynamicTable = (viewName: ViewName) => Object.values(sql.dynamicTables)
            .some((table) => table.refreshMode === "INCREMENTAL" && table.refs.includes(viewName));
        const dynamicTable = (tableName: DynamicTableName) => {
            const definition = sql.dynamicTables[tableName];
            const resource = new snowflake.DynamicTable(childName(name, tableName), {
                database: config.database,
                schema: config.schema,
                name: tableName,
                query: definition.text,
                refreshMode: definition.refreshMode,
                // Assumption: SHOW DYNAMIC TABLES reports TARGET_LAG as it was set, which the provider reads
                // back verbatim (terraform-provider-snowflake pkg/resources/dynamic_table.go). Its own
                // integration test sets '10 minutes' and reads '10 minutes'
                // (pkg/sdk/testint/dynamic_table_integration_test.go); whether 60 minutes comes back as
                // '1 hour' is not public. Live check: SHOW DYNAMIC TABLES LIKE 'DT_%' IN SCHEMA <db>.<schema>.
                targetLag: { maximumDuration: `${dynamicTableLagMinutes(config, definition.refreshMode)} minutes` },
                warehouse: config.warehouse,
                comment: `${config.comment}. ${definition.refreshModeReason}`,
            }, after(definition.refs));
            created[tableName] = resource;
            return resource;
        };

        // The registry's creation order (lib/sql/catalog.ts dashboardModels): each after what it reads.
        const views: Record<ViewName, snowflake.View> = {};
        const dynamicTables: Record<DynamicTableName, snowflake.DynamicTable> = {};
        for (const model of dashboardModels(sql.registry)) {
            if (model.kind === "dynamic_table") {
                dynamicTables[model.name] = dynamicTable(model.name);
            } else {
                views[model.name] = view(model.name);
            }
        }
        this.views = views;
        this.dynamicTables = dynamicTables;

        this.grantViewer(name, args);
        this.registerOutputs({});
    }

    private grantViewer(name: string, args: DashboardsArgs): void {
        const { config } = args;
        const grant = (suffix: string, grantArgs: Omit<snowflake.GrantPrivilegesToAccountRoleArgs, "accountRoleName">,
                       dependsOn: pulumi.Resource[]) =>
            new snowflake.GrantPrivilegesToAccountRole(childName(name, `viewer_${suffix}`), {
                accountRoleName: args.viewerRoleName,
                ...grantArgs,
            }, childOptions(this, args.ownerProvider, [...(args.dependsOn ?? []), ...dependsOn]));

        grant("schema_usage", { onSchema: { schemaName: quotedName(config.database, config.schema) }, privileges: ["USAGE"] }, []);
        for (const viewName of Object.keys(this.views).filter((candidate) => viewerReads(args.sql.registry.model(candidate)))) {
            grant(`select_${viewName}`, {
                onSchemaObject: { objectType: "VIEW", objectName: quotedName(config.database, config.schema, viewName) },
                privileges: VIEWER_OBJECT_PRIVILEGES,
            }, [this.views[viewName]]);
        }
        // Dynamic tables in this schema are rollups only, so current and future ones are readable.
        const inSchema = { inSchema: quotedName(config.database, config.schema), objectTypePlural: "DYNAMIC TABLES" };
        grant("select_all_dynamic_tables", { onSchemaObject: { all: inSchema }, privileges: VIEWER_OBJECT_PRIVILEGES },
            Object.values(this.dynamicTables));
        grant("select_future_dynamic_tables", { onSchemaObject: { future: inSchema }, privileges: VIEWER_OBJECT_PRIVILEGES }, []);
    }
}
