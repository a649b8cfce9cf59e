import { AlertSql, buildAlertSql } from "./alertCatalog";
import { memberDatabaseName } from "../config/org";
import { WallmonitorConfig } from "../config/stack";
import { checkStackValues, renderModel } from "./modelSql";
import { TASK_NAMES, PROCEDURE_NAMES } from "./names";
import { buildCentralSql, buildMemberShareSql, CentralSql } from "./orgCatalog";
import { defaultRegistry, holdsConversationText, Model, RefreshMode, Registry } from "./registry";
import { Identifier, ident, literal, renderSql, RenderedSql, SqlValue } from "./render";
import {
    AGENT_DAILY_LATENCY, AGENT_DAILY_ROLLUP, AGENT_EVENTS_HISTORY, AGENT_INGEST_STATE, AGENT_REGISTRY, INGEST_CYCLE_STATE,
    MODEL_DAILY_ROLLUP, ROLLUP_DAY_STATE, TOOL_DAILY_ROLLUP, USER_DAILY_ROLLUP,
} from "./tables";
import { LATENCY_BUCKET_RATIO } from "./values";

export { LATENCY_BUCKET_RATIO, PROCEDURE_NAMES, TASK_NAMES };

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

/** The daily rollups the rollup procedure recomputes, in order; each has rollup_delete_/insert_/expire_ statements. */
export const ROLLUP_STEPS = ["agent", "user", "model", "tool", "latency"] as const;
export type RollupStep = (typeof ROLLUP_STEPS)[number];
const ROLLUP_STEP_TABLES: Readonly<Record<RollupStep, string>> = {
    agent: AGENT_DAILY_ROLLUP.name,
    user: USER_DAILY_ROLLUP.name,
    model: MODEL_DAILY_ROLLUP.name,
    tool: TOOL_DAILY_ROLLUP.name,
    latency: AGENT_DAILY_LATENCY.name,
};
const ROLLUP_STATEMENT_NAMES = [
    "rollup_begin", "rollup_commit", "rollup_rollback", "rollup_find_days", "rollup_stale_days", "rollup_record_days",
    "rollup_expire_day_state", "rollup_delete_day_state",
    "rollup_delete_agent", "rollup_delete_user", "rollup_delete_model", "rollup_delete_tool", "rollup_delete_latency",
    "rollup_insert_agent", "rollup_insert_user", "rollup_insert_model", "rollup_insert_tool", "rollup_insert_latency",
    "rollup_expire_agent", "rollup_expire_user", "rollup_expire_model", "rollup_expire_tool", "rollup_expire_latency",
] as const;
/** The rollup definition (columns, bucket ratio): change it with them, and the days history still holds are recomputed. */
export const ROLLUP_VERSION = "2;latency-buckets-1.05;evaluation-excluded";
/** How far before the last rollup run the next one looks for loaded rows (a late-committing insert is still seen). */
export const ROLLUP_OVERLAP_MINUTES = 60;

/** Statement names the ingestion procedures look up in their embedded STATEMENTS map. */
export const PROCEDURE_STATEMENT_NAMES = [
    "active_agents",
    "apply_retention",
    "create_discovered_agents",
    "cycle_started",
    "insert_discovered_agent",
    "insert_agent_events",
    "insert_events_from_event_table",
    "merge_discovered_agents",
    "probe_event_table",
    "read_from",
    "read_points_all",
    "record_event_table_failure",
    "record_event_table_success",
    "record_refresh_failure",
    "record_refresh_success",
    "show_agents",
    // Registering agents from their events, and the cycle's own state (procedures/ingestion.py).
    "events_discovery_read_from",
    "merge_agents_from_events",
    "record_cycle_state",
    ...ROLLUP_STATEMENT_NAMES,
] as const;
export type ProcedureStatementName = (typeof PROCEDURE_STATEMENT_NAMES)[number];

/** Session-scoped scratch table of the days one rollup run recomputes. */
export const ROLLUP_DAYS_TABLE = "ROLLUP_DAYS_SCRATCH";
/** Session-scoped scratch table that one discovery run fills from SHOW AGENTS. */
export const DISCOVERED_AGENTS_TABLE = "DISCOVERED_AGENTS_SCRATCH";

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
    const qualified = (name: string) => ident(config.database, config.schema, name);
    const tables = {
        HISTORY_TABLE: qualified(AGENT_EVENTS_HISTORY.name),
        INGEST_STATE_TABLE: qualified(AGENT_INGEST_STATE.name),
        REGISTRY_TABLE: qualified(AGENT_REGISTRY.name),
        DAY_STATE_TABLE: qualified(ROLLUP_DAY_STATE.name),
    };
    const statement = (file: string, values: Record<string, SqlValue>) => renderSql(`ingestion/${file}.sql`, values);

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

    // Unqualified on purpose: a temporary table belongs to the session, and inside an
    // owner's-rights procedure the session's schema is the procedure's own.
    const scratch = { DISCOVERED_TABLE: ident(DISCOVERED_AGENTS_TABLE) };
    // Every active agent's read-from point, for the one-pass event-table statements.
    const readPoints = {
        REGISTRY_TABLE: tables.REGISTRY_TABLE,
        INGEST_STATE_TABLE: tables.INGEST_STATE_TABLE,
        INGEST_OVERLAP_MINUTES: config.ingestOverlapMinutes,
    };
    const procedureStatements: Record<ProcedureStatementName, RenderedSql> = {
        active_agents: statement("active_agents", { REGISTRY_TABLE: tables.REGISTRY_TABLE }),
        apply_retention: statement("apply_retention", { HISTORY_TABLE: tables.HISTORY_TABLE }),
        create_discovered_agents: statement("create_discovered_agents", scratch),
        cycle_started: statement("cycle_started", {}),
        insert_discovered_agent: statement("insert_discovered_agent", scratch),
        insert_agent_events: statement("insert_agent_events", {
            HISTORY_TABLE: tables.HISTORY_TABLE,
            STORE_CONVERSATION_TEXT: config.storeConversationText,
            // GET_AI_OBSERVABILITY_EVENTS redacts text unless the owner holds the privilege
            // readUnredactedEvents grants (components/access.ts).
            SOURCE_TEXT_REDACTED: !config.readUnredactedEvents,
        }),
        insert_events_from_event_table: statement("insert_events_from_event_table", {
            ...readPoints,
            HISTORY_TABLE: tables.HISTORY_TABLE,
            STORE_CONVERSATION_TEXT: config.storeConversationText,
        }),
        probe_event_table: statement("probe_event_table", {}),
        read_points_all: statement("read_points_all", readPoints),
        record_event_table_failure: statement("record_event_table_failure", { ...readPoints, INGEST_PATH: literal("EVENT_TABLE") }),
        record_event_table_success: statement("record_event_table_success", {
            ...readPoints,
            HISTORY_TABLE: tables.HISTORY_TABLE,
            INGEST_PATH: literal("EVENT_TABLE"),
        }),
        merge_discovered_agents: statement("merge_discovered_agents", {
            ...scratch,
            REGISTRY_TABLE: tables.REGISTRY_TABLE,
        }),
        read_from: statement("read_from", {
            INGEST_STATE_TABLE: tables.INGEST_STATE_TABLE,
            INGEST_OVERLAP_MINUTES: config.ingestOverlapMinutes,
        }),
        record_refresh_failure: statement("record_refresh_failure", {
            INGEST_STATE_TABLE: tables.INGEST_STATE_TABLE,
            INGEST_PATH: literal("PER_AGENT"),
        }),
        record_refresh_success: statement("record_refresh_success", {
            INGEST_STATE_TABLE: tables.INGEST_STATE_TABLE,
            HISTORY_TABLE: tables.HISTORY_TABLE,
            INGEST_PATH: literal("PER_AGENT"),
        }),
        show_agents: statement("show_agents", {}),
        events_discovery_read_from: statement("events_discovery_read_from", {
            CYCLE_STATE_TABLE: qualified(INGEST_CYCLE_STATE.name),
            INGEST_OVERLAP_MINUTES: config.ingestOverlapMinutes,
        }),
        // The refresh passes no patterns: the stack's, as the discovery task passes them.
        merge_agents_from_events: statement("merge_agents_from_events", {
            REGISTRY_TABLE: tables.REGISTRY_TABLE,
            INCLUDE_PATTERN: literal(config.agentIncludePattern),
            EXCLUDE_PATTERN: config.agentExcludePattern === undefined ? null : literal(config.agentExcludePattern),
        }),
        record_cycle_state: statement("record_cycle_state", { CYCLE_STATE_TABLE: qualified(INGEST_CYCLE_STATE.name) }),
        ...rollupStatements(qualified, tables.HISTORY_TABLE, tables.DAY_STATE_TABLE),
    };

    const tasks = {
        refresh: statement("refresh_task", {
            PROCEDURE: qualified(PROCEDURE_NAMES.refresh),
            LOOKBACK_HOURS: config.initialLookbackHours,
            HISTORY_DAYS: config.historyDays,
            INGEST_PATH: literal(config.ingestPath),
        }),
        discover: statement("discover_task", {
            PROCEDURE: qualified(PROCEDURE_NAMES.discover),
            INCLUDE_PATTERN: literal(config.agentIncludePattern),
            EXCLUDE_PATTERN: config.agentExcludePattern === undefined ? null : literal(config.agentExcludePattern),
        }),
        rollup: renderSql("rollups/rollup_task.sql", {
            PROCEDURE: qualified(PROCEDURE_NAMES.rollup),
            HISTORY_DAYS: config.historyDays,
            ROLLUP_RETENTION_DAYS: config.rollupRetentionDays,
        }),
    };

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

/** The rollup procedure's statements (sql/rollups), one delete/insert/expire per daily rollup. */
function rollupStatements(qualified: (name: string) => Identifier, historyTable: Identifier,
                          dayStateTable: Identifier): Record<(typeof ROLLUP_STATEMENT_NAMES)[number], RenderedSql> {
    const rollup = (file: string, values: Record<string, SqlValue>) => renderSql(`rollups/${file}.sql`, values);
    // Unqualified, like the discovery scratch table: a temporary table belongs to the session.
    const days = { DAYS_TABLE: ident(ROLLUP_DAYS_TABLE) };
    const perStep = (prefix: string, make: (step: RollupStep, table: Identifier) => RenderedSql) =>
        Object.fromEntries(ROLLUP_STEPS.map((step) => [`${prefix}_${step}`, make(step, qualified(ROLLUP_STEP_TABLES[step]))]));
    return {
        rollup_begin: rollup("begin", {}),
        rollup_commit: rollup("commit", {}),
        rollup_rollback: rollup("rollback", {}),
        rollup_find_days: rollup("find_days", {
            ...days, HISTORY_TABLE: historyTable, DAY_STATE_TABLE: dayStateTable, OVERLAP_MINUTES: ROLLUP_OVERLAP_MINUTES,
            ROLLUP_VERSION: literal(ROLLUP_VERSION),
        }),
        rollup_stale_days: rollup("stale_days", days),
        rollup_record_days: rollup("record_days", {
            ...days, DAY_STATE_TABLE: dayStateTable, ROLLUP_VERSION: literal(ROLLUP_VERSION),
        }),
        rollup_expire_day_state: rollup("expire", { ROLLUP_TABLE: dayStateTable }),
        rollup_delete_day_state: rollup("delete_days", { ...days, ROLLUP_TABLE: dayStateTable }),
        ...perStep("rollup_delete", (_step, table) => rollup("delete_days", { ...days, ROLLUP_TABLE: table })),
        ...perStep("rollup_insert", (step, table) => rollup(`insert_${step}`, {
            ...days, ROLLUP_TABLE: table, HISTORY_TABLE: historyTable,
            ...(step === "latency" ? { LATENCY_BUCKET_RATIO } : {}),
        })),
        ...perStep("rollup_expire", (_step, table) => rollup("expire", { ROLLUP_TABLE: table })),
    } as Record<(typeof ROLLUP_STATEMENT_NAMES)[number], RenderedSql>;
}
