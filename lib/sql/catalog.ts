import { AlertSql, buildAlertSql } from "./alertCatalog";
import { memberDatabaseName } from "../config/org";
import { WallmonitorConfig } from "../config/stack";
import { checkStackValues, renderModel } from "./modelSql";
import { TASK_NAMES, PROCEDURE_NAMES } from "./names";
import { buildCentralSql, buildMemberShareSql, CentralSql } from "./orgCatalog";
import { defaultRegistry, holdsConversationText, Model, RefreshMode, Registry } from "./registry";
import { RenderedSql } from "./render";

export { PROCEDURE_NAMES, TASK_NAMES };

/**
 * Every statement Wallmonitor deploys or runs, rendered for one stack. The components declare
 * resources from it, the ingestion procedures embed its statements, and the emulator tests
 * execute the very same text (scripts/render-sql.ts writes it out for them). The views and
 * dynamic tables are the registry's models (sql/<area>/models.yml, lib/sql/registry.ts); the
 * lists below derive from it.
 */

/** The views and dynamic tables the Dashboards component deploys (every area but cost), in creation order. */
export function dashboardModels(registry: Registry): Model[] {
    return registry.creationOrder(registry.models.filter((model) =>
        (model.kind === "view" || model.kind === "dynamic_table") && model.area !== "cost"));
}

/** The models of the cost component (sql/cost/models.yml), in creation order. */
export function costModels(registry: Registry): Model[] {
    return registry.creationOrder(registry.models.filter((model) => model.kind === "view" && model.area === "cost"));
}

export const VIEW_NAMES: readonly string[] = dashboardModels(defaultRegistry())
    .filter((model) => model.kind === "view").map((model) => model.name);
export type ViewName = string;

/** Views that return one row per raw event (a conversation_text column): never granted to the viewer role. */
export const RAW_EVENT_VIEWS: readonly ViewName[] = VIEW_NAMES.filter((name) => holdsConversationText(defaultRegistry().model(name)));

export const DYNAMIC_TABLE_NAMES: readonly string[] = dashboardModels(defaultRegistry())
    .filter((model) => model.kind === "dynamic_table").map((model) => model.name);
export type DynamicTableName = string;

export interface DynamicTableSql extends RenderedSql {
    readonly refreshMode: RefreshMode;
    /** Why this refresh mode; shown as the dynamic table's comment. */
    readonly refreshModeReason: string;
}

/**
 * The daily rollups the rollup procedure maintains, in order; each has rollup_delete_/insert_ (full
 * recompute of days), rollup_stage_/merge_delete_/merge_insert_ (merge of new rows) and expire_ statements.
 */
export const ROLLUP_STEPS = ["agent", "user", "model", "tool", "latency"] as const;
export type RollupStep = (typeof ROLLUP_STEPS)[number];
/** Each step's statements, in ROLLUP_STEPS order; the rollup procedure gets this list embedded (lib/sql/procedures.ts). */
export const ROLLUP_STEP_STATEMENTS = ROLLUP_STEPS.map((step) => ({
    delete: `rollup_delete_${step}`, insert: `rollup_insert_${step}`, expire: `rollup_expire_${step}`,
    stage: `rollup_stage_${step}`, mergeDelete: `rollup_merge_delete_${step}`, mergeInsert: `rollup_merge_insert_${step}`,
} as const));

/**
 * Statement names the ingestion procedures look up in their embedded STATEMENTS map: the
 * statements of sql/ingestion/models.yml and sql/rollups/models.yml, in declaration order (the
 * order they are embedded in).
 */
export function procedureStatementModels(registry: Registry): Model[] {
    const statements = registry.models.filter((model) => model.kind === "statement" && (model.area === "ingestion" || model.area === "rollups"));
    const names = statements.map((model) => model.name);
    const missing = ROLLUP_STEP_STATEMENTS.flatMap((step) => Object.values(step)).filter((name) => !names.includes(name));
    if (missing.length > 0) {
        throw new Error(`sql/rollups/models.yml declares no ${missing.join(", ")}: procedures/ingestion.py runs one delete, ` +
            "insert, stage, merge_delete, merge_insert and expire statement per ROLLUP_STEPS entry");
    }
    return statements;
}
export const PROCEDURE_STATEMENT_NAMES: readonly string[] = procedureStatementModels(defaultRegistry()).map((model) => model.name);
export type ProcedureStatementName = string;

/** The organisation-wide SQL of a member or central stack (wallmonitor:accountRole). */
export interface OrgSql {
    /** A member's shared secure views, by name. */
    readonly memberShare?: Readonly<Record<string, RenderedSql>>;
    /** The central account's unified views. */
    readonly central?: CentralSql;
}

/** One catalog per stack, sliced by component: each component receives its own part. */
export interface SqlCatalog {
    /** The models the catalog was rendered from. */
    readonly registry: Registry;
    /** The Dashboards component: its views and dynamic tables in creation order. */
    readonly views: Readonly<Record<ViewName, RenderedSql>>;
    readonly dynamicTables: Readonly<Record<DynamicTableName, DynamicTableSql>>;
    /** The Ingestion component. */
    readonly procedureStatements: Readonly<Record<ProcedureStatementName, RenderedSql>>;
    readonly tasks: Readonly<Record<keyof typeof TASK_NAMES, RenderedSql>>;
    /** The Cost component: the cost and chargeback views in creation order. */
    readonly cost: Readonly<Record<string, RenderedSql>>;
    /** The Alerting component (lib/sql/alertCatalog.ts). */
    readonly alerts: AlertSql;
    /** The MemberShare or Central component. */
    readonly org: OrgSql;
}

export interface CatalogOptions {
    /** The models to render; by default the registry of sql/. */
    readonly registry?: Registry;
    /** SOURCE_ACCOUNT (`ORG.ACCOUNT`) of a member or central stack, for its organisation-wide SQL. */
    readonly sourceAccount?: string;
}

/** The only builder of the SQL a stack deploys. */
export function buildSqlCatalog(config: WallmonitorConfig, options: CatalogOptions = {}): SqlCatalog {
    const registry = options.registry ?? defaultRegistry();
    checkStackValues(registry);
    const views: Record<ViewName, RenderedSql> = {};
    const dynamicTables: Record<DynamicTableName, DynamicTableSql> = {};
    for (const model of dashboardModels(registry)) {
        const rendered = renderModel(registry, model, config);
        if (model.kind === "dynamic_table") {
            dynamicTables[model.name] = { ...rendered, refreshMode: model.refreshMode!, refreshModeReason: model.refreshModeReason! };
        } else {
            views[model.name] = rendered;
        }
    }
    const cost = Object.fromEntries(costModels(registry).map((model) => [model.name, renderModel(registry, model, config)]));

    const procedureStatements = Object.fromEntries(procedureStatementModels(registry)
        .map((model) => [model.name, renderModel(registry, model, config)]));
    const task = (key: keyof typeof TASK_NAMES) => renderModel(registry, registry.model(TASK_NAMES[key]), config);
    const tasks = { refresh: task("refresh"), discover: task("discover"), rollup: task("rollup") };

    const source = options.sourceAccount;
    const org: OrgSql = {
        memberShare: source !== undefined && config.accountRole === "member" ? buildMemberShareSql(config, source) : undefined,
        central: source !== undefined && config.accountRole === "central"
            ? buildCentralSql(config, source, (config.orgMembers ?? []).map((member) => ({
                name: member.name, database: memberDatabaseName(config.orgDatabasePrefix, member.name),
            })))
            : undefined,
    };

    return { registry, views, dynamicTables, procedureStatements, tasks, cost, alerts: buildAlertSql(config), org };
}
