import { kind, objectName } from "../plan/plan";
import { plainName } from "../privileges/grants";
import { ident, literal } from "../lib/sql/render";
import { PROCEDURE_NAMES, TASK_NAMES } from "../lib/sql/names";
import { defaultRegistry } from "../lib/sql/registry";
import { AGENT_EVENTS_HISTORY, AGENT_INGEST_STATE, AGENT_REGISTRY } from "../lib/sql/tables";
import { TRACE_MARGIN_DAYS } from "../lib/sql/traceMargin";
import { cell, DoctorContext } from "./context";
import { LOOKBACK_DAYS } from "./events";
import type { ReadOnlySession } from "./readOnly";
import { count, Finding } from "./report";
import { doctorStatement } from "./sql";

/**
 * After deploy: the facts the code relies on that no public source settles, checked on the
 * account (issue 19). Each check reads only, as the owner role, and names the fix.
 */

/** Hours of the event table the missed-events check reads: recent enough to fix, well inside historyDays. */
export const MISSED_LOOKBACK_HOURS = 24;

/**
 * How many registers the emulator's HLL state holds sparse (test/sql/emulator.py
 * HLL_SPARSE_LIMIT; test/sql/test_doctor_shapes.py checks they agree): a state with fewer set
 * registers exports sparse, one with more dense. Only the benchmark's state-bytes figures depend on it.
 */
export const EMULATOR_HLL_SPARSE_LIMIT = 1365;
/** Distinct values per HLL state sampled: about 900 to 1,950 of 4,096 registers set, around the limit. */
export const HLL_ROW_COUNTS = [1000, 1400, 1600, 1800, 2500] as const;

/** The build's objects of one kind (`pulumi up` creates them), by their plain name, with their inputs. */
export function declared(context: DoctorContext, resourceKind: string): { name: string; inputs: Record<string, unknown> }[] {
    return context.build.resources.filter((resource) => kind(resource.type) === resourceKind)
        .map((resource) => ({ name: plainName(objectName(resource) || String(resource.inputs.name)).split(".").pop()!, inputs: resource.inputs }));
}

const minutes = (seconds: number) => Math.ceil(seconds / 60);

/**
 * Settles "no event arrives later than the overlap allows": ingestion reads each agent from the
 * later of its newest stored event and its last successful refresh, less ingestOverlapMinutes
 * (sql/ingestion/read_points.sql), so an event that reaches the event table later than that is
 * never stored. sql/doctor/missed_events.sql counts them directly; how late spans can arrive is
 * not documented.
 */
export async function missedEvents(context: DoctorContext, session: ReadOnlySession): Promise<Finding[]> {
    const { config } = context;
    const lookbackHours = Math.min(MISSED_LOOKBACK_HOURS, config.historyDays * 24);
    const measured = await session.attempt(doctorStatement("missed_events", {
        HISTORY: ident(config.database, config.schema, AGENT_EVENTS_HISTORY.name),
        INGEST_STATE: ident(config.database, config.schema, AGENT_INGEST_STATE.name),
        REGISTRY: ident(config.database, config.schema, AGENT_REGISTRY.name),
        INGEST_OVERLAP_MINUTES: config.ingestOverlapMinutes, LOOKBACK_HOURS: lookbackHours, STORE_CONVERSATION_TEXT: false,
    }));
    if ("error" in measured) {
        return [{ area: "deployed", status: "not-checked", title: "events Wallmonitor missed could not be counted: the event table is not readable here",
            evidence: measured.error,
            fix: `GRANT APPLICATION ROLE SNOWFLAKE.AI_OBSERVABILITY_READER TO ROLE ${config.ownerRole} (as ACCOUNTADMIN; the event-table ingest path needs it too)` }];
    }
    const missed = measured.rows.map((row) => ({
        agent: [cell(row, "AGENT_DATABASE"), cell(row, "AGENT_SCHEMA"), cell(row, "AGENT_NAME")].join("."),
        events: Number(cell(row, "MISSED_EVENTS")), oldest: cell(row, "OLDEST_MISSED_EVENT"), delay: Number(cell(row, "MAX_DELAY_SECONDS")),
    })).filter((agent) => agent.events > 0);
    if (missed.length === 0) {
        return [{ area: "deployed", status: "pass", title: `no event of the last ${lookbackHours} hours was missed: every event older than its agent's read point is stored`,
            evidence: `read point: newest stored event or last successful refresh, less ingestOverlapMinutes = ${config.ingestOverlapMinutes}; ` +
                "agents still in their initial backfill are left out" }];
    }
    const total = missed.reduce((sum, agent) => sum + agent.events, 0);
    const needed = minutes(Math.max(...missed.map((agent) => agent.delay)));
    return [{ area: "deployed", status: "warn",
        title: `${count(total, "event")} of the last ${lookbackHours} hours reached the event table too late and were never stored`,
        evidence: missed.map((agent) => `${agent.agent}: ${agent.events} (oldest ${agent.oldest}, ${minutes(agent.delay)} min before its read basis)`).join("\n") +
            `\ningestOverlapMinutes is ${config.ingestOverlapMinutes}; ${needed} would have caught them all`,
        fix: `pulumi config set wallmonitor:ingestOverlapMinutes ${Math.min(1440, needed)}, then pulumi up (events as late as these are then read; ` +
            `${needed + config.refreshIntervalMinutes}, one refresh interval more, also reloads these at the next cycle)` }];
}

/**
 * The delay of the events Wallmonitor stored (sql/doctor/event_lateness.sql): how many needed
 * the overlap, and the longest delay against refreshIntervalMinutes + ingestOverlapMinutes. A
 * stored event is not lost, so this informs the overlap's margin; missedEvents warns.
 */
export async function lateness(context: DoctorContext, session: ReadOnlySession): Promise<Finding[]> {
    const { config } = context;
    const measured = await session.attempt(doctorStatement("event_lateness", {
        HISTORY: ident(config.database, config.schema, AGENT_EVENTS_HISTORY.name), LOOKBACK_DAYS, INTERVAL_MINUTES: config.refreshIntervalMinutes,
    }));
    if ("error" in measured) {
        return [{ area: "deployed", status: "not-checked", title: "how late stored events arrived could not be measured", evidence: measured.error }];
    }
    const row = measured.rows[0] ?? {};
    const events = Number(cell(row, "EVENTS") || 0);
    if (events === 0) {
        return [{ area: "deployed", status: "pass", title: `no event loaded in the last ${LOOKBACK_DAYS} days after its agent's first load yet: event lateness not measured` }];
    }
    const needingOverlap = Number(cell(row, "EVENTS_NEEDING_OVERLAP") || 0);
    const maxMinutes = minutes(Number(cell(row, "MAX_DELAY_SECONDS") || 0));
    return [{ area: "deployed", status: "pass",
        title: `${needingOverlap} of ${events} events loaded in the last ${LOOKBACK_DAYS} days needed the overlap; the latest was stored ${maxMinutes} min after it happened`,
        evidence: `an event loaded more than refreshIntervalMinutes = ${config.refreshIntervalMinutes} min after it happened reached the event table late; ` +
            `refreshIntervalMinutes + ingestOverlapMinutes = ${config.refreshIntervalMinutes + config.ingestOverlapMinutes} min` }];
}

/** A trace's span for a reader: minutes up to two hours, hours beyond. */
function span(seconds: number): string {
    return seconds < 2 * 3600 ? `${minutes(seconds)} min` : `${(seconds / 3600).toFixed(1)} h`;
}

/**
 * Settles "a trace's rows lie within TRACE_MARGIN_DAYS of its evaluation marks" (lib/sql/traceMargin.ts):
 * the realtime views, the alert rules and the SLO and version views look for a trace's marks only
 * from the start of what they read less that margin (sql/evaluation/history_from.sql), and the
 * rollups within a day of the rows they recompute
 * or merge. A Cortex Agent request times out after 15 minutes
 * (https://docs.snowflake.com/en/user-guide/snowflake-cortex/cortex-agents-run), a background run
 * after 6 hours (https://docs.snowflake.com/release-notes/2026/other/2026-08-30-cortex-agents-async-api-ga), but the
 * DATA_AGENT_RUN SQL function and evaluation runs are documented with no limit, so
 * sql/doctor/trace_spans.sql measures the longest trace of the last LOOKBACK_DAYS days.
 */
export async function traceSpans(context: DoctorContext, session: ReadOnlySession): Promise<Finding[]> {
    const { config } = context;
    const measured = await session.attempt(doctorStatement("trace_spans", {
        HISTORY: ident(config.database, config.schema, AGENT_EVENTS_HISTORY.name), LOOKBACK_DAYS, TRACE_MARGIN_DAYS,
    }));
    if ("error" in measured) {
        return [{ area: "deployed", status: "not-checked", title: "how far apart the rows of one trace lie could not be measured", evidence: measured.error }];
    }
    const row = measured.rows[0] ?? {};
    const traces = Number(cell(row, "TRACES") || 0);
    const margin = count(TRACE_MARGIN_DAYS, "day");
    if (traces === 0) {
        return [{ area: "deployed", status: "pass", title: `no trace stored in the last ${LOOKBACK_DAYS} days yet: how far apart a trace's rows lie not measured` }];
    }
    const beyond = Number(cell(row, "TRACES_BEYOND_MARGIN") || 0);
    const longest = `${span(Number(cell(row, "LONGEST_TRACE_SECONDS") || 0))} (${cell(row, "LONGEST_TRACE")})`;
    const bound = `the realtime views, the alert rules and the SLO and version views look for a trace's evaluation marks from the start ` +
        `of what they read less TRACE_MARGIN_DAYS = ${margin}, the rollups within a day of the rows they recompute or merge`;
    if (beyond === 0) {
        return [{ area: "deployed", status: "pass",
            title: `every one of the ${count(traces, "trace")} of the last ${LOOKBACK_DAYS} days lies within ${margin}; the longest spans ${longest}`,
            evidence: bound }];
    }
    return [{ area: "deployed", status: "warn",
        title: `${beyond} of the ${count(traces, "trace")} of the last ${LOOKBACK_DAYS} days span more than ${margin}; the longest ${longest}`,
        evidence: `${bound}: rows of such a trace outside that bound may be counted as production in the realtime views and the rollups, the alert rules and the ` +
            "SLO and version views (AGENT_EVENTS_RECENT, over the whole history, still sees their marks)",
        fix: "report the agent and how it is run (DATA_AGENT_RUN, an evaluation run) as a Wallmonitor issue; " +
            "the bound is TRACE_MARGIN_DAYS in lib/sql/traceMargin.ts" }];
}

/**
 * Settles "refreshes never overlap" (the incremental rollup assumes history inserts commit in
 * LOADED_AT order): the REFRESH task, the root of the graph, must not run beside itself, and no
 * manual CALL may have run beside it. OVERLAP_POLICY (NO_OVERLAP by default) replaced
 * ALLOW_OVERLAPPING_EXECUTION on 2026-03-13; SHOW TASKS shows the new column once bundle 2026_02
 * is enabled (https://docs.snowflake.com/en/release-notes/2026/other/2026-03-13-tasks-overlap-policy,
 * https://docs.snowflake.com/en/release-notes/bcr-bundles/2026_02/bcr-2242,
 * https://docs.snowflake.com/en/sql-reference/sql/show-tasks, https://docs.snowflake.com/en/user-guide/tasks-intro).
 */
export async function refreshOverlap(context: DoctorContext, session: ReadOnlySession, schema: string): Promise<Finding[]> {
    const { config } = context;
    const findings: Finding[] = [];
    const task = `${schema}.${TASK_NAMES.refresh}`;
    const shown = await session.query(doctorStatement("show_tasks", { SCHEMA: ident(config.database, config.schema) }));
    const row = shown.find((candidate) => cell(candidate, "name").toUpperCase() === TASK_NAMES.refresh);
    if (row !== undefined) {
        const policy = cell(row, "overlap_policy").toUpperCase();
        const allowOverlap = cell(row, "allow_overlapping_execution").toLowerCase();
        const setting = policy !== "" ? `OVERLAP_POLICY = ${policy}` : `ALLOW_OVERLAPPING_EXECUTION = ${allowOverlap.toUpperCase() || "(not shown)"}`;
        const serial = policy !== "" ? policy === "NO_OVERLAP" : allowOverlap === "false";
        const change = policy !== "" ? "SET OVERLAP_POLICY = NO_OVERLAP" : "SET ALLOW_OVERLAPPING_EXECUTION = FALSE";
        findings.push(serial
            ? { area: "deployed", status: "pass", title: `task ${task} never runs beside itself (${setting})` }
            : { area: "deployed", status: "warn", title: `task ${task} may run beside itself (${setting})`,
                evidence: "two refreshes at once can commit history rows out of LOADED_AT order, which the incremental rollup does not expect",
                fix: `ALTER TASK ${task} SUSPEND; ALTER TASK ${task} ${change}; ALTER TASK ${task} RESUME (as ${config.ownerRole})` });
    }
    const calls = await session.attempt(doctorStatement("refresh_overlaps", {
        INFORMATION_SCHEMA: ident(config.database, "INFORMATION_SCHEMA"), CALL_PATTERN: literal(`%CALL %${PROCEDURE_NAMES.refresh}(%`),
    }));
    if ("error" in calls) {
        findings.push({ area: "deployed", status: "not-checked", title: `overlapping ${PROCEDURE_NAMES.refresh} calls could not be looked for`, evidence: calls.error });
        return findings;
    }
    const result = calls.rows[0] ?? {};
    const seen = Number(cell(result, "CALLS") || 0);
    const overlapping = Number(cell(result, "OVERLAPPING_CALLS") || 0);
    if (seen === 0) {
        findings.push({ area: "deployed", status: "not-checked", title: `no ${PROCEDURE_NAMES.refresh} call of the last 7 days is visible to role ${config.ownerRole} in QUERY_HISTORY`,
            evidence: "[open] whether INFORMATION_SCHEMA.QUERY_HISTORY shows a task's runs (user SYSTEM) to the task's owner role is not documented",
            fix: `as a role that sees all queries: SELECT START_TIME, END_TIME FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY WHERE QUERY_TEXT ILIKE '%CALL %${PROCEDURE_NAMES.refresh}(%' ORDER BY START_TIME (up to 45 min behind)` });
    } else if (overlapping === 0) {
        findings.push({ area: "deployed", status: "pass", title: `no two of the ${seen} ${PROCEDURE_NAMES.refresh} calls of the last 7 days overlapped` });
    } else {
        findings.push({ area: "deployed", status: "warn",
            title: `${overlapping} of the ${seen} ${PROCEDURE_NAMES.refresh} calls of the last 7 days started while an earlier one still ran`,
            evidence: `first at ${cell(result, "FIRST_OVERLAP_AT")}; events a later call loaded first may be left out of the incremental rollup's days`,
            fix: `CALL ${schema}.${PROCEDURE_NAMES.refresh} by hand only while task ${task} is suspended (ALTER TASK ${task} SUSPEND)` });
    }
    return findings;
}

/**
 * Settles "the incremental dynamic tables refresh incrementally": Snowflake may fall back to FULL
 * refreshes, and says why in refresh_mode_reason
 * (https://docs.snowflake.com/en/sql-reference/sql/show-dynamic-tables). `shown`: SHOW DYNAMIC TABLES' rows.
 */
export function refreshModes(context: DoctorContext, schema: string, shown: readonly Readonly<Record<string, unknown>>[]): Finding[] {
    return declared(context, "DynamicTable").filter((table) => table.inputs.refreshMode === "INCREMENTAL").flatMap((table): Finding[] => {
        const row = shown.find((candidate) => cell(candidate, "name").toUpperCase() === table.name);
        if (row === undefined) {
            return [];
        }
        const mode = cell(row, "refresh_mode").toUpperCase();
        if (mode === "INCREMENTAL") {
            return [{ area: "deployed", status: "pass", title: `dynamic table ${schema}.${table.name} refreshes INCREMENTAL, as declared` }];
        }
        return [{ area: "deployed", status: "warn", title: `dynamic table ${schema}.${table.name} refreshes ${mode || "(mode not shown)"}, not INCREMENTAL as declared`,
            evidence: `refresh_mode_reason: ${cell(row, "refresh_mode_reason") || "(none given)"}; each refresh recomputes the whole table`,
            fix: "check change tracking on the objects it reads (the findings below), then pulumi up; report the reason as a Wallmonitor issue" }];
    });
}

/**
 * Settles "change tracking is on where an incremental dynamic table reads": the tables and views
 * the build declares with change tracking must show change_tracking ON, and a table a non-zero
 * retention_time, as incremental refreshes need (https://docs.snowflake.com/en/user-guide/dynamic-tables-create,
 * https://docs.snowflake.com/en/sql-reference/sql/show-tables, https://docs.snowflake.com/en/sql-reference/sql/show-views).
 */
export async function changeTracking(context: DoctorContext, session: ReadOnlySession, schema: string): Promise<Finding[]> {
    const { config } = context;
    const findings: Finding[] = [];
    for (const [objectKind, statement] of [["Table", "show_tables"], ["View", "show_views"]] as const) {
        const tracked = declared(context, objectKind).filter((object) => String(object.inputs.changeTracking) === "true");
        if (tracked.length === 0) {
            continue;
        }
        const shown = await session.query(doctorStatement(statement, { SCHEMA: ident(config.database, config.schema) }));
        for (const object of tracked) {
            const row = shown.find((candidate) => cell(candidate, "name").toUpperCase() === object.name);
            const state = row === undefined ? undefined : cell(row, "change_tracking").toUpperCase();
            const noun = objectKind.toLowerCase();
            if (state === "ON" && objectKind === "Table" && cell(row!, "retention_time") === "0") {
                findings.push({ area: "deployed", status: "warn", title: `${noun} ${schema}.${object.name} has change tracking on but DATA_RETENTION_TIME_IN_DAYS = 0`,
                    evidence: "incremental refreshes need a non-zero Time Travel retention on every table they read",
                    fix: `ALTER TABLE ${schema}.${object.name} SET DATA_RETENTION_TIME_IN_DAYS = 1 (as ${config.ownerRole}), or raise the schema's or database's retention` });
                continue;
            }
            findings.push(state === "ON"
                ? { area: "deployed", status: "pass", title: `${noun} ${schema}.${object.name} has change tracking on` }
                : { area: "deployed", status: "warn",
                    title: row === undefined ? `${noun} ${schema}.${object.name} does not exist (or the owner cannot see it)` : `${noun} ${schema}.${object.name} has change tracking ${state || "(not shown)"}`,
                    evidence: "an incremental dynamic table reading it refreshes FULL without it",
                    fix: row === undefined ? "pulumi up" : `pulumi up, or ALTER ${objectKind.toUpperCase()} ${schema}.${object.name} SET CHANGE_TRACKING = TRUE (as ${config.ownerRole})` });
        }
    }
    return findings;
}

/**
 * Settles where HLL_EXPORT switches from sparse to dense, which the emulator assumes
 * (EMULATOR_HLL_SPARSE_LIMIT): states of a few sizes around it, built on the stack's warehouse.
 */
export async function hllForm(context: DoctorContext, session: ReadOnlySession): Promise<Finding[]> {
    const samples: { rows: number; form: string; registers: number }[] = [];
    for (const rows of HLL_ROW_COUNTS) {
        const result = await session.attempt(doctorStatement("hll_export_form", { ROW_COUNT: rows }));
        if ("error" in result) {
            return [{ area: "deployed", status: "not-checked", title: "where HLL_EXPORT switches from sparse to dense could not be checked",
                evidence: result.error,
                fix: `GRANT USAGE ON WAREHOUSE ${context.config.warehouse} TO ROLE ${context.config.ownerRole} (pulumi up does this)` }];
        }
        const row = result.rows[0] ?? {};
        samples.push({ rows, form: cell(row, "FORM").toUpperCase(), registers: Number(cell(row, "REGISTERS_SET")) });
    }
    const observed = samples.map((sample) => `${sample.rows} values: ${sample.form} with ${sample.registers} registers set`).join("; ");
    const largestSparse = Math.max(-1, ...samples.filter((sample) => sample.form === "SPARSE").map((sample) => sample.registers));
    const smallestDense = Math.min(Infinity, ...samples.filter((sample) => sample.form === "DENSE").map((sample) => sample.registers));
    const agrees = samples.every((sample) => (sample.form === "SPARSE") === (sample.registers < EMULATOR_HLL_SPARSE_LIMIT));
    if (agrees) {
        return [{ area: "deployed", status: "pass",
            title: `HLL_EXPORT switches from sparse to dense at ${EMULATOR_HLL_SPARSE_LIMIT} registers set, as the emulator assumes`, evidence: observed }];
    }
    const switchAt = largestSparse < 0 ? `below ${smallestDense}` : smallestDense === Infinity ? `above ${largestSparse}` : `between ${largestSparse} and ${smallestDense}`;
    return [{ area: "deployed", status: "warn",
        title: `HLL_EXPORT switches from sparse to dense ${switchAt} registers set, not at ${EMULATOR_HLL_SPARSE_LIMIT} as the emulator assumes`,
        evidence: `${observed}. Only the benchmark's HLL state-bytes figures depend on it; estimates do not`,
        fix: "report the observed switch as a Wallmonitor issue, so the emulator's HLL_SPARSE_LIMIT (test/sql/emulator.py) follows it" }];
}

/** The realtime view whose plan realtimePlan reads: AGENT_METRICS reads the window through evaluation/window_history.sql. */
export const REALTIME_PLAN_VIEW = defaultRegistry().model("AGENT_METRICS").name;

/** TableScans of the history a realtime read needs when its CTE is computed once: the window's rows, the marked rows of the strip before it. */
export const EXPECTED_HISTORY_SCANS = 2;

/**
 * Settles two facts the realtime views' cost rests on, which the emulator cannot (DuckDB
 * materializes a CTE read twice): that Snowflake computes window_history.sql's WINDOW_ROWS, read
 * twice, once (not documented; the query profile names WithClause and WithReference operators,
 * https://docs.snowflake.com/en/user-guide/ui-snowsight-activity, a page this check does not rely on;
 * inlined, the window would be scanned twice: still correct, not cheaper), and that it prunes the history's micro-partitions at
 * compile time by EVENT_TIMESTAMP >= DATEADD('hour', -realtimeWindowHours, SYSDATE())
 * (https://docs.snowflake.com/en/user-guide/tables-clustering-micropartitions, "Query Pruning").
 * EXPLAIN of a read of AGENT_METRICS shows both without running it: the TableScans of
 * AGENT_EVENTS_HISTORY, and for each its partitionsAssigned against partitionsTotal, upper bounds
 * that runtime pruning may still lower (https://docs.snowflake.com/en/sql-reference/sql/explain).
 * The verdict on the CTE rests on the number of those scans, which the EXPLAIN page documents;
 * whether EXPLAIN, a compile-time plan, names WithClause and WithReference as the query profile
 * does is not documented, so they are reported as seen, not relied on.
 */
export async function realtimePlan(context: Pick<DoctorContext, "config">, session: ReadOnlySession): Promise<Finding[]> {
    const { config } = context;
    const view = `${config.database}.${config.schema}.${REALTIME_PLAN_VIEW}`;
    const history = `${config.database}.${config.schema}.${AGENT_EVENTS_HISTORY.name}`;
    const planned = await session.attempt(doctorStatement("realtime_plan", { VIEW: ident(config.database, config.schema, REALTIME_PLAN_VIEW) }));
    if ("error" in planned) {
        return [{ area: "deployed", status: "not-checked", title: `how Snowflake plans a realtime read (${REALTIME_PLAN_VIEW}) could not be checked`,
            evidence: planned.error,
            fix: `pulumi up: role ${config.ownerRole} owns ${view}, and EXPLAIN of a read needs SELECT on it` }];
    }
    const operations = planned.rows.map((row) => cell(row, "operation"));
    const times = (operation: string) => operations.filter((name) => name === operation).length;
    const scans = planned.rows.filter((row) => cell(row, "operation") === "TableScan" && plainName(cell(row, "objects")) === history)
        .map((row) => ({ total: Number(cell(row, "partitionsTotal") || 0), assigned: Number(cell(row, "partitionsAssigned") || 0) }));
    const cte = times("WithClause") + times("WithReference") > 0
        ? `${count(times("WithClause"), "WithClause")} and ${count(times("WithReference"), "WithReference")} in the plan`
        : "no WithClause or WithReference in the plan";
    const seen = `EXPLAIN USING TABULAR SELECT * FROM ${view}: ${count(scans.length, "TableScan")} of ${AGENT_EVENTS_HISTORY.name}; ${cte}`;
    const report = "report the plan (EXPLAIN USING TABULAR SELECT * FROM the view, as the owner role) as a Wallmonitor issue";
    if (scans.length === 0) {
        return [{ area: "deployed", status: "not-checked", title: `how often a realtime read scans ${AGENT_EVENTS_HISTORY.name} could not be read from its plan`,
            evidence: `${seen}; operations: ${[...new Set(operations)].join(", ") || "(none)"}`, fix: report }];
    }
    const once = scans.length <= EXPECTED_HISTORY_SCANS;
    const findings: Finding[] = [once
        ? { area: "deployed", status: "pass",
            title: `Snowflake computes the realtime window's CTE once: a read of ${REALTIME_PLAN_VIEW} scans ${AGENT_EVENTS_HISTORY.name} ` +
                (scans.length === 1 ? "once" : `${scans.length} times (the window, the strip before it)`),
            evidence: seen }
        : { area: "deployed", status: "warn",
            title: "Snowflake inlines the CTE: the realtime read scans the window twice; correct, but costs what the previous shape cost",
            evidence: `${seen} (${EXPECTED_HISTORY_SCANS} expected: the window once, the strip before it once)`,
            fix: `${report}; the shape is sql/evaluation/window_history.sql` }];
    const kept = `micro-partitions kept per TableScan of ${AGENT_EVENTS_HISTORY.name} after compile-time pruning (partitionsAssigned of partitionsTotal, ` +
        `upper bounds): ${scans.map((scan) => `${scan.assigned} of ${scan.total}`).join(", ")}`;
    const partitioned = scans.filter((scan) => scan.total > 1);
    const pruned = partitioned.filter((scan) => scan.assigned < scan.total);
    const bound = `the window bound EVENT_TIMESTAMP >= DATEADD('hour', -${config.realtimeWindowHours}, SYSDATE())`;
    if (partitioned.length === 0) {
        findings.push({ area: "deployed", status: "not-checked",
            title: `whether ${bound} prunes ${AGENT_EVENTS_HISTORY.name}: too small to tell (one micro-partition)`,
            evidence: kept, fix: "run the doctor again once the history holds more than one micro-partition" });
    } else if (pruned.length === partitioned.length) {
        findings.push({ area: "deployed", status: "pass", title: `Snowflake prunes ${AGENT_EVENTS_HISTORY.name} by ${bound}: no realtime read scans the whole history`,
            evidence: kept });
    } else if (pruned.length === 0) {
        findings.push({ area: "deployed", status: "warn", title: "the window bound does not prune: every realtime read scans the whole history",
            evidence: `${kept}; ${bound} left every micro-partition assigned`,
            fix: `${report}; until it prunes, each realtime read scans all historyDays = ${config.historyDays} days: ` +
                "pulumi config set wallmonitor:historyDays <fewer days>, then pulumi up, bounds that" });
    } else if (pruned.every((scan) => scan.assigned === 0)) {
        // The strip before the window keeps none: no micro-partition holds a row older than the window yet.
        findings.push({ area: "deployed", status: "pass",
            title: `Snowflake prunes ${AGENT_EVENTS_HISTORY.name} by ${bound}; the whole history lies within the window yet, so the window's scan keeps all of it`,
            evidence: kept });
    } else {
        findings.push({ area: "deployed", status: "warn",
            title: `a realtime read's window scan keeps every micro-partition of ${AGENT_EVENTS_HISTORY.name} though older rows exist`,
            evidence: `${kept}; the bound prunes (the strip before the window keeps fewer), but every micro-partition holds rows of the window: ` +
                "rows loaded far out of EVENT_TIMESTAMP order (a long backfill) share micro-partitions with recent ones",
            fix: report });
    }
    return findings;
}
