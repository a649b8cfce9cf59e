import * as pulumi from "@pulumi/pulumi";
import * as snowflake from "@pulumi/snowflake";

import { DYNAMIC_TABLE_NAMES, DynamicTableName, RAW_EVENT_VIEWS, SqlCatalog, VIEW_NAMES, ViewName } from "../lib/sql/catalog";
import { WallmonitorConfig } from "../lib/config/stack";
import { childName, childOptions, quotedName } from "../lib/pulumi/naming";

export interface DashboardsArgs {
    readonly config: WallmonitorConfig;
    readonly sql: SqlCatalog;
    readonly ownerProvider: pulumi.ProviderResource;
    readonly viewerRoleName: pulumi.Input<string>;
    /** The tables the views read. */
    readonly dependsOn?: pulumi.Resource[];
}

/** The only privilege the viewer role receives on schema objects. */
export const VIEWER_OBJECT_PRIVILEGES = ["SELECT"];

/** Views read other views: each is created after the ones it reads. */
const VIEW_READS: Readonly<Record<ViewName, readonly (ViewName | DynamicTableName)[]>> = {
    AGENT_EVENTS_RECENT: [],
    AGENT_EVENTS: ["AGENT_EVENTS_RECENT"],
    REALTIME_KPI: ["AGENT_EVENTS"],
    THREAD_ACTIVITY: ["AGENT_EVENTS"],
    AGENT_METRICS: ["AGENT_EVENTS"],
    HOURLY_THREAD_ACTIVITY: ["AGENT_EVENTS"],
    THREAD_TIMELINE: ["AGENT_EVENTS"],
    THREAD_ACTIVITY_RECENT: ["DT_THREAD_ACTIVITY_RECENT"],
    AGENT_METRICS_RECENT: ["DT_AGENT_METRICS_RECENT"],
    HOURLY_THREAD_ACTIVITY_RECENT: ["DT_HOURLY_THREAD_ACTIVITY_RECENT"],
    THREAD_TIMELINE_RECENT: ["AGENT_EVENTS_RECENT"],
    AGENT_FEEDBACK: ["AGENT_EVENTS"],
    AGENT_FEEDBACK_RECENT: ["AGENT_EVENTS_RECENT"],
    PIPELINE_HEALTH: [],
    DASHBOARD_SETTINGS: [],
    // Over the daily rollup tables (declared by the storage component, a dependency of every view).
    AGENT_ROLLUP_DAILY: [],
    AGENT_ROLLUP_WEEKLY: [],
    AGENT_ROLLUP_MONTHLY: [],
    AGENT_ROLLUP_YEARLY: [],
    AGENT_DAILY_ACTIVITY: [],
    AGENT_DAILY_LATENCY_HISTOGRAM: [],
    AGENT_USAGE_BY_USER: [],
    AGENT_USAGE_BY_AGENT: [],
    EVALUATION_RUNS: ["AGENT_EVENTS_RECENT"],
    ALERT_HISTORY_VIEW: [],
    ALERT_STATUS: [],
    ALERT_RULES: [],
};

/**
 * The reference's dashboard views (same names and columns), the dynamic tables behind the
 * *_RECENT rollups, and the viewer role's read access. The viewer may read the rollups and
 * timelines but not the per-event views over raw history (RAW_EVENT_VIEWS).
 */
export class Dashboards extends pulumi.ComponentResource {
    readonly views: Readonly<Record<ViewName, snowflake.View>>;
    readonly dynamicTables: Readonly<Record<DynamicTableName, snowflake.DynamicTable>>;

    constructor(name: string, args: DashboardsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("wallmonitor:dashboards:Dashboards", name, {}, opts);
        const { config, sql } = args;
        const created: Partial<Record<ViewName | DynamicTableName, pulumi.Resource>> = {};
        const after = (names: readonly (ViewName | DynamicTableName)[]) =>
            childOptions(this, args.ownerProvider, [...(args.dependsOn ?? []), ...names.map((reads) => {
                const resource = created[reads];
                if (resource === undefined) {
                    throw new Error(`${reads} must be declared before the objects that read it`);
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
            }, after(VIEW_READS[viewName]));
            created[viewName] = resource;
            return resource;
        };
        // Every dynamic table reads AGENT_EVENTS_RECENT (see dynamicTable below).
        const readByIncrementalDynamicTable = (viewName: ViewName) => viewName === "AGENT_EVENTS_RECENT" &&
            DYNAMIC_TABLE_NAMES.some((table) => sql.dynamicTables[table].refreshMode === "INCREMENTAL");
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
                targetLag: { maximumDuration: `${config.dynamicTableTargetLagMinutes} minutes` },
                warehouse: config.warehouse,
                comment: `${config.comment}. ${definition.refreshModeReason}`,
            }, after(["AGENT_EVENTS_RECENT"]));
            created[tableName] = resource;
            return resource;
        };

        const views: Partial<Record<ViewName, snowflake.View>> = {};
        views.AGENT_EVENTS_RECENT = view("AGENT_EVENTS_RECENT");
        this.dynamicTables = Object.fromEntries(DYNAMIC_TABLE_NAMES.map((table) => [table, dynamicTable(table)])) as
            Record<DynamicTableName, snowflake.DynamicTable>;
        for (const viewName of VIEW_NAMES.filter((candidate) => candidate !== "AGENT_EVENTS_RECENT")) {
            views[viewName] = view(viewName);
        }
        this.views = views as Record<ViewName, snowflake.View>;

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
        for (const viewName of VIEW_NAMES.filter((candidate) => !RAW_EVENT_VIEWS.includes(candidate))) {
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
