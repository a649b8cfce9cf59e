import type { DeclaredGrant } from "../../privileges/grants";
import { HLL_ROW_COUNTS as HLL_SAMPLE_SIZES } from "../../doctor/liveFacts";
import { FakeSnowflake, objectMissing, Reply } from "./snowflakeServer";

/**
 * A scripted Snowflake account for the doctor: what SHOW GRANTS, SHOW FUTURE GRANTS, EXPLAIN,
 * SHOW TASKS, SHOW DYNAMIC TABLES and the doctor's event queries answer, in Snowflake's
 * documented result shapes. A test starts from `healthyAccount` and changes one thing (a grant
 * removed, a task suspended, an attribute gone), then `scriptAccount` installs the replies.
 * Agent visibility (SHOW AGENTS) and the event function's privileges stay the fake's own model
 * (snowflakeServer.ts), so they follow the agent grants, not a script.
 */

/** One row of SHOW GRANTS TO ROLE (https://docs.snowflake.com/en/sql-reference/sql/show-grants). */
export interface GrantRow {
    readonly privilege: string;
    /** As SHOW prints it: ACCOUNT, ROLE, DATABASE_ROLE, APPLICATION_ROLE, DYNAMIC_TABLE, VIEW, ... */
    readonly grantedOn: string;
    readonly name: string;
}

/** One row of SHOW FUTURE GRANTS IN SCHEMA or IN DATABASE: the privilege on future objects of a kind. */
export interface FutureGrantRow {
    readonly in: "SCHEMA" | "DATABASE";
    /** The schema or database. */
    readonly container: string;
    readonly privilege: string;
    /** As SHOW prints it, e.g. DYNAMIC_TABLE, AGENT. */
    readonly grantOn: string;
    readonly grantee: string;
}

export interface FakeSpan {
    readonly agent: string;
    readonly kind: "ROOT" | "PLANNING" | "OTHER";
    readonly name: string;
    readonly objectType: string;
    readonly spans: number;
    /** `ai.observability.span_type`, lower case, when the spans have one. */
    readonly spanType?: string;
    /** Whether they carry `snow.ai.observability.run.name` (an evaluation run's). */
    readonly runName?: boolean;
    /** Attribute keys and how many of these spans carry each. */
    readonly keys: Readonly<Record<string, number>>;
}

/** One row of EXPLAIN USING TABULAR, in its documented columns (https://docs.snowflake.com/en/sql-reference/sql/explain). */
export interface ExplainRow {
    readonly step: number | null;
    readonly id: number | null;
    /** The ids of the operation's parents, as an array. */
    readonly parentOperators: readonly number[] | null;
    readonly operation: string;
    readonly objects: string | null;
    readonly alias: string | null;
    readonly expressions: string | null;
    readonly partitionsTotal: number | null;
    readonly partitionsAssigned: number | null;
    readonly bytesAssigned: number | null;
}

/** The plan of a read of a realtime view (sql/doctor/realtime_plan.sql): the view, and EXPLAIN's rows for it. */
export interface FakeRealtimePlan {
    /** DATABASE.SCHEMA.VIEW, as the doctor names it. */
    readonly view: string;
    readonly rows: readonly ExplainRow[];
}

const MICRO_PARTITION_BYTES = 16 * 1024 * 1024;

/**
 * EXPLAIN's rows for `SELECT * FROM AGENT_METRICS` over `history` (DATABASE.SCHEMA.TABLE), in the
 * shape of evaluation/window_history.sql: the window's rows a CTE (one WithClause, read by two
 * WithReference operations: the rows, their marks) beside the strip before the window, each a
 * TableScan of the history. `inlined`: each reference of the CTE a scan of its own (three scans).
 * `pruned`: how many of the history's `partitions` the window's and the strip's scans keep (all of
 * them when omitted: no pruning).
 */
export function realtimeReadPlan(history: string, options: { partitions: number; pruned?: { window: number; strip: number }; inlined?: boolean }): ExplainRow[] {
    const { partitions, inlined = false } = options;
    const kept = options.pruned ?? { window: partitions, strip: partitions };
    const row = (id: number, parents: number[], operation: string, extra: Partial<ExplainRow> = {}): ExplainRow => ({ step: 1, id, parentOperators: parents,
        operation, objects: null, alias: null, expressions: null, partitionsTotal: null, partitionsAssigned: null, bytesAssigned: null, ...extra });
    const scan = (id: number, parent: number, assigned: number, alias: string): ExplainRow => row(id, [parent], "TableScan", { objects: history, alias,
        expressions: "AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, TRACE_ID, EVENT_TIMESTAMP, IS_EVALUATION_EVENT, RUN_NAME, ...",
        partitionsTotal: partitions, partitionsAssigned: assigned, bytesAssigned: assigned * MICRO_PARTITION_BYTES });
    const window = "H.EVENT_TIMESTAMP >= '2026-11-30 14:00:00.000'";
    const marks = "H.IS_EVALUATION_EVENT AND (H.TRACE_ID IS NOT NULL)";
    const head = [
        row(0, [], "Result", { expressions: "AGENT_FULL_NAME, AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, UNIQUE_THREADS, ..." }),
        row(1, [0], "Aggregate", { expressions: "aggExprs: [COUNT(DISTINCT THREAD_ID), ...], groupKeys: [AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME]" }),
        row(2, [1], "LeftOuterJoin", { expressions: "joinKey: (T.AGENT_DATABASE = H.AGENT_DATABASE) AND ... AND (T.TRACE_ID = H.TRACE_ID)" }),
        row(7, [2], "Aggregate", { expressions: "aggExprs: [MAX(RUN_NAME)], groupKeys: [AGENT_DATABASE, AGENT_SCHEMA, AGENT_NAME, TRACE_ID]" }),
        row(8, [7], "UnionAll"),
        row(9, [8], "Filter", { expressions: marks }),
        row(11, [8], "Filter", { expressions: `${marks} AND (H.EVENT_TIMESTAMP >= '2026-11-29 14:00:00.000') AND (H.EVENT_TIMESTAMP < '2026-11-30 14:00:00.000')` }),
        scan(12, 11, kept.strip, "H"),
    ];
    const windowRows = inlined
        ? [row(5, [2], "Filter", { expressions: window }), scan(6, 5, kept.window, "H"), row(10, [9], "Filter", { expressions: window }), scan(13, 10, kept.window, "H")]
        : [row(3, [2], "WithReference", { alias: "WINDOW_ROWS" }), row(4, [3, 10], "WithClause", { alias: "WINDOW_ROWS" }),
            row(5, [4], "Filter", { expressions: window }), scan(6, 5, kept.window, "H"), row(10, [9], "WithReference", { alias: "WINDOW_ROWS" })];
    const rows = [...head, ...windowRows].sort((a, b) => a.id! - b.id!);
    const scans = rows.filter((candidate) => candidate.operation === "TableScan");
    const sum = (column: "partitionsTotal" | "partitionsAssigned" | "bytesAssigned") => scans.reduce((total, candidate) => total + candidate[column]!, 0);
    return [{ step: null, id: null, parentOperators: null, operation: "GlobalStats", objects: null, alias: null, expressions: null,
        partitionsTotal: sum("partitionsTotal"), partitionsAssigned: sum("partitionsAssigned"), bytesAssigned: sum("bytesAssigned") }, ...rows];
}

export interface FakeAccount {
    readonly account: string;
    readonly region: string;
    readonly roles: string[];
    readonly applicationRoles: string[];
    /** role -> what SHOW GRANTS TO ROLE lists. */
    readonly grants: Record<string, GrantRow[]>;
    readonly futureGrants: FutureGrantRow[];
    readonly parameters: Record<string, string>;
    /** False: every read of the event table is refused, as for a role without its reader role. */
    readonly eventTableReadable: boolean;
    /** Agents that wrote events, with their event counts. */
    readonly agentsInEvents: { name: string; events: number }[];
    readonly newestEvent: string;
    readonly spans: FakeSpan[];
    /** Statements Snowflake refuses (an EXPLAIN that does not compile, a read not allowed), with its code and message; they win over every other reply. */
    readonly refusals: { pattern: RegExp; code: string; message: string }[];
    /** overlapPolicy: the task's OVERLAP_POLICY (NO_OVERLAP when omitted, Snowflake's default). */
    readonly tasks: { name: string; state: "started" | "suspended"; lastState: string; failures: number; lastError: string | null; overlapPolicy?: string }[];
    /** Whether SHOW TASKS has the overlap_policy column (bundle 2026_02 enabled); allow_overlapping_execution is always shown. */
    readonly showsOverlapPolicy: boolean;
    /** refreshMode: what Snowflake chose (INCREMENTAL or FULL), with its reason when FULL. */
    readonly dynamicTables: { name: string; schedulingState: string; targetLag: string; dataTimestamp: string; refreshMode: string; refreshModeReason?: string }[];
    /** The schema's tables and views as SHOW TABLES / SHOW VIEWS list them, with change tracking on or off. */
    readonly tables: { name: string; changeTracking: boolean; retentionDays?: number }[];
    readonly views: { name: string; changeTracking: boolean }[];
    readonly agentHealth: { agent: string; health: string; lastEvent: string; lagMinutes: number; error: string | null }[];
    readonly streamlits: { name: string; urlId: string }[];
    readonly notificationIntegrations: { name: string; type: string; enabled: boolean }[];
    /** Failed deliveries in the last day, per integration (NOTIFICATION_HISTORY). */
    readonly deliveryFailures: { integration: string; failures: number; lastError: string }[];
    /** What sql/doctor/event_lateness.sql counts over the stored events (none stored: omitted). */
    readonly eventLateness?: { events: number; needingOverlap: number; maxDelaySeconds: number };
    /** What sql/doctor/trace_spans.sql measures over the stored traces (none stored: omitted). */
    readonly traceSpans?: { traces: number; beyondMargin: number; longestSeconds: number; longestTrace: string };
    /** What sql/doctor/missed_events.sql finds, per agent with missed events. */
    readonly missedEvents: { agent: string; events: number; oldest: string; maxDelaySeconds: number }[];
    /** The REFRESH_AGENT_EVENTS calls QUERY_HISTORY shows the role (sql/doctor/refresh_overlaps.sql). */
    readonly refreshCalls: { calls: number; overlapping: number; firstOverlapAt: string | null };
    /**
     * How many set registers Snowflake's HLL_EXPORT still writes sparse on this account. The fake
     * sets 4096 (1 - e^(-n/4096)) registers for n distinct values, a precision-12 HyperLogLog's
     * expected occupancy (https://docs.snowflake.com/en/user-guide/querying-approximate-cardinality).
     */
    readonly hllSparseLimit: number;
    /**
     * What EXPLAIN of a read of the realtime view answers (sql/doctor/realtime_plan.sql). Refused,
     * as Snowflake refuses a read, when `warehouse.computeRole` (the role the after-deploy checks
     * run as) holds neither SELECT nor OWNERSHIP on the view; EXPLAIN needs no running warehouse.
     */
    readonly realtimePlan: FakeRealtimePlan;
    /**
     * The stack's warehouse and the role the doctor's compute queries run as (the owner). They are
     * refused when that role holds neither USAGE nor OWNERSHIP on it (its SHOW GRANTS rows); a
     * scripted reply cannot see the session's role, so the test checks which role ran them.
     */
    readonly warehouse: { readonly name: string; readonly computeRole: string };
}

const SHOW_GRANTS_COLUMNS = ["created_on", "privilege", "granted_on", "name", "granted_to", "grantee_name", "grant_option", "granted_by"];
const SHOW_FUTURE_GRANTS_COLUMNS = ["created_on", "privilege", "grant_on", "name", "grant_to", "grantee_name", "grant_option"];
/** EXPLAIN USING TABULAR's columns (https://docs.snowflake.com/en/sql-reference/sql/explain). */
const EXPLAIN_COLUMNS = ["step", "id", "parentOperators", "operation", "objects", "alias", "expressions", "partitionsTotal",
    "partitionsAssigned", "bytesAssigned"];
const CREATED = "2026-11-01 08:00:00.000 +0000";

/** The SHOW GRANTS rows a declared grant leaves on an account: ALL grants expanded over `objects` (kind -> names). */
export function grantRows(grant: DeclaredGrant, objects: Readonly<Record<string, readonly string[]>>): GrantRow[] {
    const shown = (kind: string) => kind.replace(/ /g, "_");
    if (grant.role !== undefined) {
        const grantedOn = grant.role.startsWith("SNOWFLAKE.AI_") ? "APPLICATION_ROLE" : grant.role.includes(".") ? "DATABASE_ROLE" : "ROLE";
        return [{ privilege: "USAGE", grantedOn, name: grant.role }];
    }
    const target = grant.on!;
    if (target.kind === "object") {
        return grant.privileges.map((privilege) => ({ privilege, grantedOn: shown(target.object.type), name: target.object.name || "ACME_DEV" }));
    }
    if (target.kind === "future") {
        return [];
    }
    const inside = (objects[target.objectType] ?? []).filter((name) => name.startsWith(`${target.in.name}.`));
    return inside.flatMap((name) => grant.privileges.map((privilege) => ({ privilege, grantedOn: shown(target.objectType), name })));
}

function rows(columns: readonly string[], values: readonly (readonly (string | number | null)[])[]): Reply {
    return { columns, rows: values.map((row) => row.map((value) => (value === null ? null : String(value)))) };
}

const EVENT_TABLE_REFUSED: Reply = { error: { code: "002003", sqlState: "02000",
    message: "SQL compilation error:\nObject 'SNOWFLAKE.LOCAL.AI_OBSERVABILITY_EVENTS' does not exist or not authorized." } };

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Installs the account's replies on the fake. Later rules win, so the general ones come first. */
export function scriptAccount(fake: FakeSnowflake, account: FakeAccount): void {
    fake.on(/^SELECT CURRENT_ACCOUNT\(\)/, rows(["ACCOUNT_NAME", "REGION", "ROLE_NAME", "USER_NAME"],
        [[account.account, account.region, "ACCOUNTADMIN", "WALLMONITOR_DEPLOY"]]));
    fake.on(/^SHOW PARAMETERS LIKE '([^']+)' IN ACCOUNT$/, rows(["key", "value", "default", "level", "description", "type"], []));
    for (const [key, value] of Object.entries(account.parameters)) {
        fake.on(new RegExp(`^SHOW PARAMETERS LIKE '${key}' IN ACCOUNT$`), rows(["key", "value", "default", "level", "description", "type"],
            [[key, value, "", "ACCOUNT", "", "STRING"]]));
    }
    const roleColumns = ["created_on", "name", "is_default", "is_current", "is_inherited", "assigned_to_users", "granted_to_roles",
        "granted_roles", "owner", "comment"];
    fake.on(/^SHOW ROLES LIKE /, rows(roleColumns, []));
    for (const role of account.roles) {
        fake.on(new RegExp(`^SHOW ROLES LIKE '${role}'$`), rows(roleColumns, [[CREATED, role, "N", "N", "N", "1", "1", "0", "USERADMIN", null]]));
    }
    fake.on(/^SHOW APPLICATION ROLES IN APPLICATION SNOWFLAKE$/, rows(["created_on", "name", "owner", "comment", "owner_role_type"],
        account.applicationRoles.map((name) => [CREATED, name, "SNOWFLAKE", null, "APPLICATION"])));
    fake.on(/^SHOW GRANTS TO ROLE /, rows(SHOW_GRANTS_COLUMNS, []));
    for (const [role, grants] of Object.entries(account.grants)) {
        fake.on(new RegExp(`^SHOW GRANTS TO ROLE ${role}$`), rows(SHOW_GRANTS_COLUMNS,
            grants.map((grant) => [CREATED, grant.privilege, grant.grantedOn, grant.name, "ROLE", role, "false", "ACCOUNTADMIN"])));
    }
    fake.on(/^SHOW FUTURE GRANTS IN (SCHEMA|DATABASE) /, rows(SHOW_FUTURE_GRANTS_COLUMNS, []));
    for (const key of new Set(account.futureGrants.map((grant) => `${grant.in} ${grant.container}`))) {
        fake.on(new RegExp(`^SHOW FUTURE GRANTS IN ${escape(key)}$`), rows(SHOW_FUTURE_GRANTS_COLUMNS,
            account.futureGrants.filter((grant) => `${grant.in} ${grant.container}` === key)
                .map((grant) => [CREATED, grant.privilege, grant.grantOn, `${grant.container}.<${grant.grantOn}>`, "ROLE", grant.grantee, "false"])));
    }
    fake.on(/^SHOW GRANTS OF APPLICATION ROLE /, rows(["created_on", "role", "granted_to", "grantee_name", "granted_by"],
        [[CREATED, "AI_OBSERVABILITY_READER", "ROLE", "WALLMONITOR_DEV_OWNER", "ACCOUNTADMIN"]]));
    // The privilege model's open checks (privileges/model.json openChecks), answered as Snowflake answers them when allowed.
    fake.on(/^SELECT 1 FROM \S+ LIMIT 0$/, rows(["1"], []));
    fake.on(/^SELECT SNOWFLAKE\.NOTIFICATION\.SANITIZE_WEBHOOK_CONTENT\(/, rows(["SANITIZE_WEBHOOK_CONTENT('SNOWFLAKE_WEBHOOK_SECRET')"], [["REDACTED"]]));
    fake.on(/^SELECT COUNT\(\*\) FROM TABLE\(SNOWFLAKE\.LOCAL\.GET_AI_OBSERVABILITY_EVENTS\(/, rows(["COUNT(*)"],
        [[account.agentsInEvents[0]?.events ?? 0]]));
    fake.on(/SELECT MAX\(e\.TIMESTAMP\) AS NEWEST_EVENT/, rows(["NEWEST_EVENT", "EVENTS"],
        [[account.newestEvent, account.agentsInEvents.reduce((sum, agent) => sum + agent.events, 0)]]));
    fake.on(/AS AGENT_DATABASE,/, rows(["AGENT_DATABASE", "AGENT_SCHEMA", "AGENT_NAME", "EVENTS", "NEWEST_EVENT"],
        account.agentsInEvents.map((agent) => [...agent.name.split("."), agent.events, account.newestEvent])));
    fake.on(/^SELECT s\.AGENT, s\.SPAN_KIND, s\.SPAN_NAME/, rows(["AGENT", "SPAN_KIND", "SPAN_NAME", "OBJECT_TYPE", "SPAN_TYPE", "HAS_RUN_NAME", "SPANS"],
        account.spans.map((span) => [span.agent, span.kind, span.name, span.objectType, span.spanType ?? null, String(span.runName ?? false), span.spans])));
    // Summed per agent, kind and key, as the GROUP BY in sql/doctor/shape_keys.sql does.
    const keyCounts = new Map<string, number>();
    for (const span of account.spans) {
        for (const [key, count] of Object.entries(span.keys)) {
            const id = `${span.agent}\n${span.kind}\n${key}`;
            keyCounts.set(id, (keyCounts.get(id) ?? 0) + count);
        }
    }
    fake.on(/^SELECT s\.AGENT, s\.SPAN_KIND, f\.KEY/, rows(["AGENT", "SPAN_KIND", "ATTRIBUTE_KEY", "SPANS"],
        [...keyCounts].map(([id, count]) => [...id.split("\n"), count])));
    fake.on(/^EXPLAIN USING TABULAR /, rows(EXPLAIN_COLUMNS, [
        [1, 0, null, "Result", null, null, "1", null, null, null],
        [1, 1, "[0]", "TableScan", "SNOWFLAKE.LOCAL.AI_OBSERVABILITY_EVENTS", "E", "TIMESTAMP, RECORD_ATTRIBUTES", 120, 8, 524288],
    ]));
    if (!account.eventTableReadable) {
        fake.on(/FROM SNOWFLAKE\.LOCAL\.AI_OBSERVABILITY_EVENTS\b/, EVENT_TABLE_REFUSED);
    }
    // ALLOW_OVERLAPPING_EXECUTION = FALSE maps to OVERLAP_POLICY = NO_OVERLAP, TRUE to an overlapping policy
    // (https://docs.snowflake.com/en/release-notes/2026/other/2026-03-13-tasks-overlap-policy).
    const policy = (task: FakeAccount["tasks"][number]) => task.overlapPolicy ?? "NO_OVERLAP";
    fake.on(/^SHOW TASKS IN SCHEMA /, rows(["created_on", "name", "id", "database_name", "schema_name", "owner", "comment", "warehouse",
        "schedule", "predecessors", "state", "definition", "condition", "allow_overlapping_execution", ...(account.showsOverlapPolicy ? ["overlap_policy"] : [])],
        account.tasks.map((task) => [CREATED, task.name, "01b2", "WALLMONITOR_DEV", "WALLMONITOR", "WALLMONITOR_DEV_OWNER", null,
            "WALLMONITOR_DEV_WH", "15 MINUTE", "[]", task.state, "CALL ...", null, String(policy(task) !== "NO_OVERLAP"),
            ...(account.showsOverlapPolicy ? [policy(task)] : [])])));
    fake.on(/TASK_HISTORY\(/, rows(["NAME", "LAST_STATE", "LAST_COMPLETED", "FAILURES", "LAST_ERROR"],
        account.tasks.map((task) => [task.name, task.lastState, "2026-12-01 13:45:00.000", task.failures, task.lastError])));
    fake.on(/^SHOW DYNAMIC TABLES IN SCHEMA /, rows(["created_on", "name", "database_name", "schema_name", "target_lag", "refresh_mode",
        "refresh_mode_reason", "warehouse", "scheduling_state", "data_timestamp"],
        account.dynamicTables.map((table) => [CREATED, table.name, "WALLMONITOR_DEV", "WALLMONITOR", table.targetLag, table.refreshMode,
            table.refreshModeReason ?? null, "WALLMONITOR_DEV_WH", table.schedulingState, table.dataTimestamp])));
    // https://docs.snowflake.com/en/sql-reference/sql/show-tables and show-views: change_tracking is ON or OFF.
    fake.on(/^SHOW TABLES IN SCHEMA /, rows(["created_on", "name", "database_name", "schema_name", "kind", "comment", "cluster_by", "rows",
        "bytes", "owner", "retention_time", "automatic_clustering", "change_tracking", "is_external", "owner_role_type"],
        account.tables.map((table) => [CREATED, table.name, "WALLMONITOR_DEV", "WALLMONITOR", "TABLE", null, "", 0, 0, "WALLMONITOR_DEV_OWNER",
            String(table.retentionDays ?? 1), "OFF", table.changeTracking ? "ON" : "OFF", "N", "ROLE"])));
    fake.on(/^SHOW VIEWS IN SCHEMA /, rows(["created_on", "name", "reserved", "database_name", "schema_name", "owner", "comment", "text",
        "is_secure", "is_materialized", "owner_role_type", "change_tracking"],
        account.views.map((view) => [CREATED, view.name, "", "WALLMONITOR_DEV", "WALLMONITOR", "WALLMONITOR_DEV_OWNER", null, "CREATE VIEW ...",
            "false", "false", "ROLE", view.changeTracking ? "ON" : "OFF"])));
    fake.on(/^SELECT AGENT_FULL_NAME, HEALTH/, rows(["AGENT_FULL_NAME", "HEALTH", "LAST_REFRESH_STATUS", "LAST_ERROR_MESSAGE",
        "LAST_EVENT_TIMESTAMP", "EVENT_LAG_MINUTES"],
        account.agentHealth.map((agent) => [agent.agent, agent.health, agent.error === null ? "OK" : "ERROR", agent.error, agent.lastEvent, agent.lagMinutes])));
    fake.on(/^SHOW STREAMLITS LIKE /, rows(["created_on", "name", "database_name", "schema_name", "title", "owner", "comment",
        "query_warehouse", "url_id", "owner_role_type"],
        account.streamlits.map((app) => [CREATED, app.name, "WALLMONITOR_DEV", "WALLMONITOR", "Wallmonitor", "WALLMONITOR_DEV_OWNER", null,
            "WALLMONITOR_DEV_WH", app.urlId, "ROLE"])));
    fake.on(/^SHOW NOTIFICATION INTEGRATIONS$/, rows(["name", "type", "category", "enabled", "comment", "created_on"],
        account.notificationIntegrations.map((integration) => [integration.name, integration.type, "NOTIFICATION", String(integration.enabled), null, CREATED])));
    fake.on(/NOTIFICATION_HISTORY\(/, rows(["INTEGRATION_NAME", "FAILURES", "LAST_ERROR"],
        account.deliveryFailures.map((failure) => [failure.integration, failure.failures, failure.lastError])));
    const lateness = account.eventLateness ?? { events: 0, needingOverlap: 0, maxDelaySeconds: null };
    fake.on(/AS EVENTS_NEEDING_OVERLAP,/, rows(["EVENTS", "EVENTS_NEEDING_OVERLAP", "MAX_DELAY_SECONDS"],
        [[lateness.events, lateness.needingOverlap, lateness.maxDelaySeconds]]));
    const traces = account.traceSpans ?? { traces: 0, beyondMargin: 0, longestSeconds: null, longestTrace: null };
    fake.on(/AS TRACES_BEYOND_MARGIN,/, rows(["TRACES", "TRACES_BEYOND_MARGIN", "LONGEST_TRACE_SECONDS", "LONGEST_TRACE"],
        [[traces.traces, traces.beyondMargin, traces.longestSeconds, traces.longestTrace]]));
    fake.on(/AS MISSED_EVENTS,/, rows(["AGENT_DATABASE", "AGENT_SCHEMA", "AGENT_NAME", "MISSED_EVENTS", "OLDEST_MISSED_EVENT", "MAX_DELAY_SECONDS"],
        account.missedEvents.map((agent) => [...agent.agent.split("."), agent.events, agent.oldest, agent.maxDelaySeconds])));
    if (!account.eventTableReadable) {
        fake.on(/AS MISSED_EVENTS,[\s\S]*FROM SNOWFLAKE\.LOCAL\.AI_OBSERVABILITY_EVENTS\b/, EVENT_TABLE_REFUSED);
    }
    fake.on(/^SELECT COUNT\(\*\) AS CALLS,[\s\S]*QUERY_HISTORY\(/, rows(["CALLS", "OVERLAPPING_CALLS", "FIRST_OVERLAP_AT"],
        [[account.refreshCalls.calls, account.refreshCalls.overlapping, account.refreshCalls.firstOverlapAt]]));
    const hasWarehouse = (account.grants[account.warehouse.computeRole] ?? []).some((grant) =>
        grant.grantedOn === "WAREHOUSE" && grant.name === account.warehouse.name && ["USAGE", "OWNERSHIP"].includes(grant.privilege));
    for (const rowCount of [...new Set(HLL_SAMPLE_SIZES)]) {
        const registers = Math.round(4096 * (1 - Math.exp(-rowCount / 4096)));
        fake.on(new RegExp(`^SELECT ${rowCount} AS ROW_COUNT,[\\s\\S]*HLL_EXPORT\\(HLL_ACCUMULATE\\(`), hasWarehouse
            ? rows(["ROW_COUNT", "FORM", "REGISTERS_SET"], [[rowCount, registers < account.hllSparseLimit ? "SPARSE" : "DENSE", registers]])
            // What Snowflake answers a query that needs compute in a session without a usable warehouse.
            : { error: { code: "000606", sqlState: "57P03",
                message: "No active warehouse selected in the current session.  Select an active warehouse with the 'use warehouse' command.\n" } });
    }
    scriptRealtimePlan(fake, account);
    for (const refusal of account.refusals) {
        fake.on(refusal.pattern, { error: { code: refusal.code, sqlState: refusal.code === "002003" ? "02000" : "42000", message: refusal.message } });
    }
}

/**
 * Installs what EXPLAIN of a read of the realtime view answers: the plan's rows, or Snowflake's
 * refusal when the role the after-deploy checks run as cannot read the view.
 */
export function scriptRealtimePlan(fake: FakeSnowflake, account: Pick<FakeAccount, "grants" | "realtimePlan" | "warehouse">): void {
    const readsView = (account.grants[account.warehouse.computeRole] ?? []).some((grant) =>
        grant.grantedOn === "VIEW" && grant.name === account.realtimePlan.view && ["SELECT", "OWNERSHIP"].includes(grant.privilege));
    fake.on(new RegExp(`^EXPLAIN USING TABULAR SELECT \\* FROM ${escape(account.realtimePlan.view)}$`), readsView
        ? rows(EXPLAIN_COLUMNS, account.realtimePlan.rows.map((row) => EXPLAIN_COLUMNS.map((column) => {
            const value = row[column as keyof ExplainRow];
            return Array.isArray(value) ? `[${value.join(", ")}]` : value as string | number | null;
        })))
        : objectMissing(`Object '${account.realtimePlan.view}'`));
}
