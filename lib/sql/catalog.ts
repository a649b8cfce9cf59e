import { buildAlertSql } from "./alertCatalog";
import { WallmonitorConfig } from "../config/stack";
import { buildCostSql, CostViewName } from "./costCatalog";
import { Identifier, ident, literal, renderSql, RenderedSql, SqlValue } from "./render";
import {
    AGENT_DAILY_LATENCY, AGENT_DAILY_ROLLUP, AGENT_EVENTS_HISTORY, AGENT_INGEST_STATE, AGENT_REGISTRY, INGEST_CYCLE_STATE,
    MODEL_DAILY_ROLLUP, ROLLUP_DAY_STATE, TOOL_DAILY_ROLLUP, USER_DAILY_ROLLUP,
} from "./tables";

/**
 * Every statement Wallmonitor deploys or runs, rendered for one stack. The components declare
 * resources from it, the ingestion procedures embed its statements, and the emulator tests
 * execute the very same text (scripts/render-sql.ts writes it out for them).
 */

export const VIEW_NAMES = [
    "AGENT_EVENTS_RECENT",
    "AGENT_EVENTS",
    "REALTIME_KPI",
    "THREAD_ACTIVITY",
    "AGENT_METRICS",
    "HOURLY_THREAD_ACTIVITY",
    "THREAD_TIMELINE",
    "THREAD_ACTIVITY_RECENT",
    "AGENT_METRICS_RECENT",
    "HOURLY_THREAD_ACTIVITY_RECENT",
    "THREAD_TIMELINE_RECENT",
    "AGENT_FEEDBACK",
    "AGENT_FEEDBACK_RECENT",
    "PIPELINE_HEALTH",
    "DASHBOARD_SETTINGS",
    "AGENT_ROLLUP_DAILY",
    "AGENT_ROLLUP_WEEKLY",
    "AGENT_ROLLUP_MONTHLY",
    "AGENT_ROLLUP_YEARLY",
    "AGENT_DAILY_ACTIVITY",
    "AGENT_DAILY_LATENCY_HISTOGRAM",
    "AGENT_USAGE_BY_USER",
    "AGENT_USAGE_BY_AGENT",
    // Evaluation runs, which every production view above leaves out.
    "EVALUATION_RUNS",
    // Alerting (lib/alertCatalog.ts): over ALERT_HISTORY / ALERT_STATE, empty while alerting is off.
    "ALERT_HISTORY_VIEW",
    "ALERT_STATUS",
    // The alert rules and thresholds in force (sql/alerts/rules/), which the Alerts page reads.
    "ALERT_RULES",
] as const;
export type ViewName = (typeof VIEW_NAMES)[number];

/** Views that return one row per raw event: never granted to the viewer role. */
export const RAW_EVENT_VIEWS: readonly ViewName[] = ["AGENT_EVENTS_RECENT", "AGENT_EVENTS"];

export const DYNAMIC_TABLE_NAMES = [
    "DT_THREAD_ACTIVITY_RECENT",
    "DT_AGENT_METRICS_RECENT",
    "DT_HOURLY_THREAD_ACTIVITY_RECENT",
] as const;
export type DynamicTableName = (typeof DYNAMIC_TABLE_NAMES)[number];

export type RefreshMode = "INCREMENTAL" | "FULL";

export interface DynamicTableSql extends RenderedSql {
    readonly refreshMode: RefreshMode;
    /** Why this refresh mode; shown as the dynamic table's comment. */
    readonly refreshModeReason: string;
}

/** The daily rollups the rollup procedure recomputes, in order; each has rollup_delete_/insert_/expire_ statements. */
export const ROLLUP_STEPS = ["agent", "user", "model", "tool", "latency"] as const;
export type RollupStep = (typeof ROLLUP_STEPS)[number];
/** Each step's statements, in ROLLUP_STEPS order; the rollup procedure gets this list embedded (lib/sql/procedures.ts). */
export const ROLLUP_STEP_STATEMENTS = ROLLUP_STEPS.map((step) => ({
    delete: `rollup_delete_${step}`, insert: `rollup_insert_${step}`, expire: `rollup_expire_${step}`,
} as const));
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
/** Ratio of consecutive latency-histogram bucket bounds: percentiles from it are within sqrt(1.05) - 1 = 2.47 %. */
export const LATENCY_BUCKET_RATIO = 1.05;
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

export const PROCEDURE_NAMES = {
    refresh: "REFRESH_AGENT_EVENTS", discover: "DISCOVER_AGENTS", rollup: "ROLLUP_AGENT_EVENTS",
} as const;
export const TASK_NAMES = {
    refresh: "REFRESH_AGENT_EVENTS_TASK", discover: "DISCOVER_AGENTS_TASK", rollup: "ROLLUP_AGENT_EVENTS_TASK",
} as const;
/** Session-scoped scratch table of the days one rollup run recomputes. */
export const ROLLUP_DAYS_TABLE = "ROLLUP_DAYS_SCRATCH";
/** Session-scoped scratch table that one discovery run fills from SHOW AGENTS. */
export const DISCOVERED_AGENTS_TABLE = "DISCOVERED_AGENTS_SCRATCH";

export interface SqlCatalog {
    readonly views: Readonly<Record<ViewName, RenderedSql>>;
    readonly dynamicTables: Readonly<Record<DynamicTableName, DynamicTableSql>>;
    readonly procedureStatements: Readonly<Record<ProcedureStatementName, RenderedSql>>;
    readonly tasks: Readonly<Record<keyof typeof TASK_NAMES, RenderedSql>>;
    /** The cost and chargeback views (lib/costCatalog.ts), in creation order. */
    readonly cost: Readonly<Record<CostViewName, RenderedSql>>;
}

export function buildSqlCatalog(config: WallmonitorConfig): SqlCatalog {
    const qualified = (name: string) => ident(config.database, config.schema, name);
    const tables = {
        HISTORY_TABLE: qualified(AGENT_EVENTS_HISTORY.name),
        INGEST_STATE_TABLE: qualified(AGENT_INGEST_STATE.name),
        REGISTRY_TABLE: qualified(AGENT_REGISTRY.name),
        DAY_STATE_TABLE: qualified(ROLLUP_DAY_STATE.name),
        AGENT_ROLLUP: qualified(AGENT_DAILY_ROLLUP.name),
        USER_ROLLUP: qualified(USER_DAILY_ROLLUP.name),
        LATENCY_ROLLUP: qualified(AGENT_DAILY_LATENCY.name),
    };
    const statement = (file: string, values: Record<string, SqlValue>) => renderSql(`ingestion/${file}.sql`, values);
    const dashboard = (file: string, values: Record<string, SqlValue>) => renderSql(`dashboards/${file}.sql`, values);
    const over = (events: string) => ({ EVENTS: qualified(events) });
    // Views the viewer reads show typed text only while the stack stores it: turning the setting
    // off hides what history already holds at the next up, without rewriting a row.
    const typedText = { STORE_CONVERSATION_TEXT: config.storeConversationText };
    const rollupPeriod = (grain: string) => dashboard("rollup_period", {
        GRAIN: literal(grain),
        AGENT_ROLLUP: tables.AGENT_ROLLUP,
        LATENCY_ROLLUP: tables.LATENCY_ROLLUP,
        LATENCY_BUCKET_RATIO,
    });

    const views: Record<ViewName, RenderedSql> = {
        AGENT_EVENTS_RECENT: dashboard("agent_events_recent", { HISTORY_TABLE: tables.HISTORY_TABLE }),
        AGENT_EVENTS: dashboard("agent_events", {
            AGENT_EVENTS_RECENT: qualified("AGENT_EVENTS_RECENT"),
            REALTIME_WINDOW_HOURS: config.realtimeWindowHours,
        }),
        REALTIME_KPI: dashboard("realtime_kpi", over("AGENT_EVENTS")),
        THREAD_ACTIVITY: dashboard("thread_activity", over("AGENT_EVENTS")),
        AGENT_METRICS: dashboard("agent_metrics", over("AGENT_EVENTS")),
        HOURLY_THREAD_ACTIVITY: dashboard("hourly_thread_activity", over("AGENT_EVENTS")),
        THREAD_TIMELINE: dashboard("thread_timeline", { ...over("AGENT_EVENTS"), ...typedText }),
        THREAD_ACTIVITY_RECENT: dashboard("recent_rollup", { DYNAMIC_TABLE: qualified("DT_THREAD_ACTIVITY_RECENT") }),
        AGENT_METRICS_RECENT: dashboard("recent_rollup", { DYNAMIC_TABLE: qualified("DT_AGENT_METRICS_RECENT") }),
        HOURLY_THREAD_ACTIVITY_RECENT: dashboard("recent_rollup", {
            DYNAMIC_TABLE: qualified("DT_HOURLY_THREAD_ACTIVITY_RECENT"),
        }),
        THREAD_TIMELINE_RECENT: dashboard("thread_timeline", { ...over("AGENT_EVENTS_RECENT"), ...typedText }),
        AGENT_FEEDBACK: dashboard("agent_feedback", { ...over("AGENT_EVENTS"), ...typedText }),
        AGENT_FEEDBACK_RECENT: dashboard("agent_feedback", { ...over("AGENT_EVENTS_RECENT"), ...typedText }),
        PIPELINE_HEALTH: dashboard("pipeline_health", {
            REGISTRY_TABLE: tables.REGISTRY_TABLE,
            INGEST_STATE_TABLE: tables.INGEST_STATE_TABLE,
            REFRESH_INTERVAL_MINUTES: config.refreshIntervalMinutes,
        }),
        DASHBOARD_SETTINGS: dashboard("dashboard_settings", {
            REALTIME_WINDOW_HOURS: config.realtimeWindowHours,
            HISTORY_DAYS: config.historyDays,
            REFRESH_INTERVAL_MINUTES: config.refreshIntervalMinutes,
            DYNAMIC_TABLE_TARGET_LAG_MINUTES: config.dynamicTableTargetLagMinutes,
            REFRESH_TASK: literal(qualified(TASK_NAMES.refresh).identifier),
            STORE_CONVERSATION_TEXT: config.storeConversationText,
        }),
        AGENT_ROLLUP_DAILY: rollupPeriod("day"),
        AGENT_ROLLUP_WEEKLY: rollupPeriod("week"),
        AGENT_ROLLUP_MONTHLY: rollupPeriod("month"),
        AGENT_ROLLUP_YEARLY: rollupPeriod("year"),
        AGENT_DAILY_ACTIVITY: dashboard("agent_daily_activity", { AGENT_ROLLUP: tables.AGENT_ROLLUP }),
        AGENT_DAILY_LATENCY_HISTOGRAM: dashboard("agent_daily_latency_histogram", {
            LATENCY_ROLLUP: tables.LATENCY_ROLLUP,
            LATENCY_BUCKET_RATIO,
        }),
        AGENT_USAGE_BY_USER: dashboard("agent_usage_by_user", { USER_ROLLUP: tables.USER_ROLLUP }),
        AGENT_USAGE_BY_AGENT: dashboard("agent_usage_by_agent", { USER_ROLLUP: tables.USER_ROLLUP }),
        EVALUATION_RUNS: dashboard("evaluation_runs", over("AGENT_EVENTS_RECENT")),
        ...buildAlertSql(config).views,
    };

    const dynamicTables: Record<DynamicTableName, DynamicTableSql> = {
        DT_THREAD_ACTIVITY_RECENT: {
            ...dashboard("thread_activity", over("AGENT_EVENTS_RECENT")),
            refreshMode: "INCREMENTAL",
            refreshModeReason: "INCREMENTAL: sums, counts and MAX_BY per thread; each refresh touches only threads with new events.",
        },
        DT_AGENT_METRICS_RECENT: {
            ...dashboard("agent_metrics", over("AGENT_EVENTS_RECENT")),
            refreshMode: "FULL",
            refreshModeReason: "FULL: exact PERCENTILE_CONT and COUNT(DISTINCT) cannot refresh incrementally; one row per agent.",
        },
        DT_HOURLY_THREAD_ACTIVITY_RECENT: {
            ...dashboard("hourly_thread_activity", over("AGENT_EVENTS_RECENT")),
            refreshMode: "FULL",
            refreshModeReason: "FULL: exact hourly p95 (PERCENTILE_CONT) cannot refresh incrementally.",
        },
    };

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

    const cost = buildCostSql(config, tables.HISTORY_TABLE, qualified(MODEL_DAILY_ROLLUP.name), qualified);

    return { views, dynamicTables, procedureStatements, tasks, cost };
}

/** The rollup procedure's statements (sql/rollups), one delete/insert/expire per daily rollup. */
function rollupStatements(qualified: (name: string) => Identifier, historyTable: Identifier,
                          dayStateTable: Identifier): Record<(typeof ROLLUP_STATEMENT_NAMES)[number], RenderedSql> {
    const rollup = (file: string, values: Record<string, SqlValue>) => renderSql(`rollups/${file}.sql`, values);
    // Unqualified, like the discovery scratch table: a temporary table belongs to the session.
    const days = { DAYS_TABLE: ident(ROLLUP_DAYS_TABLE) };
    const perStep = (kind: keyof (typeof ROLLUP_STEP_STATEMENTS)[number], make: (step: RollupStep, table: Identifier) => RenderedSql) =>
        Object.fromEntries(ROLLUP_STEPS.map((step, index) =>
            [ROLLUP_STEP_STATEMENTS[index][kind], make(step, qualified(ROLLUP_STEP_TABLES[step]))]));
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
        ...perStep("delete", (_step, table) => rollup("delete_days", { ...days, ROLLUP_TABLE: table })),
        ...perStep("insert", (step, table) => rollup(`insert_${step}`, {
            ...days, ROLLUP_TABLE: table, HISTORY_TABLE: historyTable,
            ...(step === "latency" ? { LATENCY_BUCKET_RATIO } : {}),
        })),
        ...perStep("expire", (_step, table) => rollup("expire", { ROLLUP_TABLE: table })),
    } as Record<(typeof ROLLUP_STATEMENT_NAMES)[number], RenderedSql>;
}
