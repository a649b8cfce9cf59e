import { dynamicTableLagMinutes } from "../lib/config/stack";
import { ident, literal } from "../lib/sql/render";
import { cell, Check, DoctorContext } from "./context";
import { LOOKBACK_DAYS } from "./events";
import { changeTracking, declared, hllForm, lateness, missedEvents, realtimePlan, refreshModes, refreshOverlap, traceSpans } from "./liveFacts";
import type { ReadOnlySession } from "./readOnly";
import type { Finding } from "./report";
import { doctorStatement } from "./sql";

/**
 * After deploy: what `pulumi up` left running. Tasks started and their last runs, dynamic
 * tables' refresh state, lag and refresh mode, change tracking, ingestion per agent, the newest
 * event against the newest stored one, events missed, how far apart a trace's rows lie, refreshes overlapping, the dashboard app,
 * notification integrations with their failed deliveries, how Snowflake plans a realtime read, and HLL_EXPORT's form (doctor/liveFacts.ts).
 * Read as the owner role, which owns all of it.
 */

type Rows = readonly Readonly<Record<string, unknown>>[];

function minutesSince(timestamp: string, now: Date): number | undefined {
    const parsed = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(timestamp) ? timestamp : `${timestamp.replace(" ", "T")}Z`);
    return Number.isNaN(parsed) ? undefined : Math.round((now.getTime() - parsed) / 60_000);
}

async function tasks(context: DoctorContext, session: ReadOnlySession, schema: string): Promise<Finding[]> {
    const { config } = context;
    const findings: Finding[] = [];
    const shown = await session.query(doctorStatement("show_tasks", { SCHEMA: ident(config.database, config.schema) }));
    const runs = await session.attempt(doctorStatement("task_runs", {
        INFORMATION_SCHEMA: ident(config.database, "INFORMATION_SCHEMA"), SCHEMA_NAME: literal(config.schema),
    }));
    for (const task of declared(context, "Task")) {
        const row = shown.find((candidate) => cell(candidate, "name").toUpperCase() === task.name);
        if (row === undefined) {
            findings.push({ area: "deployed", status: "fail", title: `task ${schema}.${task.name} does not exist (or the owner cannot see it)`, fix: "pulumi up" });
            continue;
        }
        const state = cell(row, "state").toLowerCase();
        if (task.inputs.started === true && state !== "started") {
            findings.push({ area: "deployed", status: "fail", title: `task ${schema}.${task.name} is ${state || "not started"}`,
                evidence: "SUSPEND_TASK_AFTER_NUM_FAILURES suspends a task after repeated failures; its last error is in TASK_HISTORY",
                fix: `ALTER TASK ${schema}.${task.name} RESUME (as ${config.ownerRole}, which needs EXECUTE TASK), or pulumi up` });
            continue;
        }
        const history = "error" in runs ? undefined : runs.rows.find((candidate) => cell(candidate, "NAME").toUpperCase() === task.name);
        if (history === undefined) {
            findings.push({ area: "deployed", status: "pass", title: `task ${schema}.${task.name} is ${state}`,
                evidence: "error" in runs ? `TASK_HISTORY not readable: ${runs.error}` : "no finished run in the last day" });
            continue;
        }
        const failures = Number(cell(history, "FAILURES"));
        const lastState = cell(history, "LAST_STATE").toUpperCase();
        findings.push({
            area: "deployed", status: lastState === "FAILED" ? "fail" : failures > 0 ? "warn" : "pass",
            title: `task ${schema}.${task.name} is ${state}; last run ${lastState}, ${failures} failed runs in the last day`,
            evidence: failures > 0 ? `last error: ${cell(history, "LAST_ERROR")}` : undefined,
            fix: lastState === "FAILED" ? "read the error above; the Pipeline health page shows which agent it concerns" : undefined,
        });
    }
    return findings;
}

async function dynamicTables(context: DoctorContext, session: ReadOnlySession, schema: string, now: Date): Promise<Finding[]> {
    const { config } = context;
    const findings: Finding[] = [];
    const shown = await session.query(doctorStatement("show_dynamic_tables", { SCHEMA: ident(config.database, config.schema) }));
    for (const table of declared(context, "DynamicTable")) {
        const row = shown.find((candidate) => cell(candidate, "name").toUpperCase() === table.name);
        if (row === undefined) {
            findings.push({ area: "deployed", status: "fail", title: `dynamic table ${schema}.${table.name} does not exist (or the owner cannot see it)`, fix: "pulumi up" });
            continue;
        }
        const scheduling = cell(row, "scheduling_state").toUpperCase();
        const lag = minutesSince(cell(row, "data_timestamp"), now);
        const allowed = 2 * dynamicTableLagMinutes(config, String(table.inputs.refreshMode ?? ""));
        if (scheduling === "SUSPENDED") {
            findings.push({ area: "deployed", status: "fail", title: `dynamic table ${schema}.${table.name} is suspended`,
                evidence: "Snowflake suspends a dynamic table after repeated refresh failures",
                fix: `ALTER DYNAMIC TABLE ${schema}.${table.name} RESUME (as ${config.ownerRole})` });
        } else if (lag === undefined || lag > allowed) {
            findings.push({ area: "deployed", status: "warn", title: `dynamic table ${schema}.${table.name} lags ${lag === undefined ? "(never refreshed)" : `${lag} min`}`,
                evidence: `target lag ${cell(row, "target_lag")}; more than ${allowed} min behind`,
                fix: `SELECT * FROM TABLE(${config.database}.INFORMATION_SCHEMA.DYNAMIC_TABLE_REFRESH_HISTORY(NAME => '${schema}.${table.name}')) shows why` });
        } else {
            findings.push({ area: "deployed", status: "pass", title: `dynamic table ${schema}.${table.name} refreshes (${lag} min behind, target ${cell(row, "target_lag")})` });
        }
    }
    return [...findings, ...refreshModes(context, schema, shown)];
}

async function ingestion(context: DoctorContext, session: ReadOnlySession, schema: string, now: Date): Promise<Finding[]> {
    const { config } = context;
    const findings: Finding[] = [];
    const health = await session.attempt(doctorStatement("pipeline_health", { PIPELINE_HEALTH: ident(config.database, config.schema, "PIPELINE_HEALTH") }));
    if ("error" in health) {
        return [{ area: "deployed", status: "fail", title: `${schema}.PIPELINE_HEALTH is not readable`, evidence: health.error, fix: "pulumi up" }];
    }
    if (health.rows.length === 0) {
        findings.push({ area: "deployed", status: "warn", title: "no agent is registered yet",
            evidence: "agents register at the next discovery or ingestion cycle", fix: `wait ${config.refreshIntervalMinutes} minutes and run the doctor again` });
    }
    for (const row of health.rows) {
        const state = cell(row, "HEALTH").toUpperCase();
        const status = state === "HEALTHY" || state === "INACTIVE" ? "pass" : state === "NOT_YET_READ" ? "warn" : "fail";
        findings.push({ area: "deployed", status, title: `agent ${cell(row, "AGENT_FULL_NAME")}: ingestion ${state}` +
                (cell(row, "EVENT_LAG_MINUTES") === "" ? "" : `, newest stored event ${cell(row, "EVENT_LAG_MINUTES")} min old`),
            evidence: cell(row, "LAST_ERROR_MESSAGE") || undefined,
            fix: status === "fail" ? "the task findings above and the Pipeline health page show why" : undefined });
    }
    const stored = health.rows.map((row) => cell(row, "LAST_EVENT_TIMESTAMP")).filter((value) => value !== "").sort().pop();
    const newest = await session.attempt(doctorStatement("newest_event", { LOOKBACK_DAYS }));
    if (!("error" in newest)) {
        const event = cell(newest.rows[0] ?? {}, "NEWEST_EVENT");
        const eventAge = event === "" ? undefined : minutesSince(event, now);
        const storedAge = stored === undefined ? undefined : minutesSince(stored, now);
        const behind = eventAge === undefined ? 0 : storedAge === undefined ? Infinity : storedAge - eventAge;
        const allowed = 2 * config.refreshIntervalMinutes + config.ingestOverlapMinutes;
        findings.push({ area: "deployed", status: behind > allowed ? "fail" : "pass",
            title: `newest event ${event || "none"}; newest stored event ${stored ?? "none"}`,
            evidence: behind > allowed ? `stored events are more than ${allowed} min behind the event table` : undefined,
            fix: behind > allowed ? "ingestion is not keeping up: see the task and agent findings above" : undefined });
    }
    findings.push(...await missedEvents(context, session), ...await lateness(context, session), ...await traceSpans(context, session));
    return findings;
}

async function dashboard(context: DoctorContext, session: ReadOnlySession): Promise<Finding[]> {
    const app = context.build.resources.map((resource) => (resource.inputs as Record<string, any>).app?.name)
        .find((name): name is string => typeof name === "string");
    if (app === undefined) {
        return [];
    }
    const name = app.split(".").pop()!;
    const rows = await session.query(doctorStatement("show_streamlits", { NAME: literal(name), SCHEMA: ident(context.config.database, context.config.schema) }));
    if (rows.length === 0) {
        return [{ area: "deployed", status: "fail", title: `Streamlit app ${app} does not exist (or the owner cannot see it)`, fix: "pulumi up" }];
    }
    // Snowsight opens an app at #/streamlit-apps/DB.SCHEMA.APP under the account's address
    // (https://docs.snowflake.com/en/developer-guide/snowflake-cli/streamlit-apps/manage-apps/get-url).
    const organization = context.build.config?.["snowflake:organizationName"] ?? "<organization>";
    const account = context.build.config?.["snowflake:accountName"] ?? "<account>";
    return [{ area: "deployed", status: "pass", title: `Streamlit app ${app} exists`,
        evidence: `url_id ${cell(rows[0], "url_id")}; in Snowsight: https://app.snowflake.com/${organization.toLowerCase()}/${account.toLowerCase()}/#/streamlit-apps/${app}` }];
}

async function notifications(context: DoctorContext, session: ReadOnlySession): Promise<Finding[]> {
    const names = context.analysis.checked
        .filter(({ statement, classified }) => classified.row.id === "create-integration" && /NOTIFICATION INTEGRATION/i.test(statement.text))
        .map(({ classified }) => classified.creates!.name);
    if (names.length === 0) {
        return [];
    }
    const findings: Finding[] = [];
    const shown: Rows = await session.query(doctorStatement("show_notification_integrations"));
    const failures = await session.attempt(doctorStatement("notification_failures", { INFORMATION_SCHEMA: ident(context.config.database, "INFORMATION_SCHEMA") }));
    for (const name of [...new Set(names)]) {
        const row = shown.find((candidate) => cell(candidate, "name").toUpperCase() === name);
        const failed = "error" in failures ? undefined : failures.rows.find((candidate) => cell(candidate, "INTEGRATION_NAME").toUpperCase() === name);
        if (row === undefined) {
            findings.push({ area: "deployed", status: "fail", title: `notification integration ${name} does not exist (or the owner has no USAGE on it)`, fix: "pulumi up" });
        } else if (cell(row, "enabled").toLowerCase() !== "true") {
            findings.push({ area: "deployed", status: "fail", title: `notification integration ${name} is disabled`, fix: `ALTER NOTIFICATION INTEGRATION ${name} SET ENABLED = TRUE (as its owner)` });
        } else if (failed !== undefined) {
            findings.push({ area: "deployed", status: "warn", title: `notification integration ${name}: ${cell(failed, "FAILURES")} failed deliveries in the last day`,
                evidence: `last error: ${cell(failed, "LAST_ERROR")}`, fix: "check the webhook URL or recipients in the stack config, then pulumi up" });
        } else {
            findings.push({ area: "deployed", status: "pass", title: `notification integration ${name} is enabled, no failed delivery in the last day`,
                evidence: "error" in failures ? `NOTIFICATION_HISTORY not readable: ${failures.error}` : undefined });
        }
    }
    return findings;
}

export function deployedCheck(now: () => Date = () => new Date()): Check {
    return async (context) => {
        if (!context.existingRoles.has(context.config.ownerRole)) {
            return [{ area: "deployed", status: "fail", title: `role ${context.config.ownerRole} does not exist: nothing is deployed`,
                fix: "pulumi up, or run the doctor with --before-deploy" }];
        }
        const schema = `${context.config.database}.${context.config.schema}`;
        return context.as(context.config.ownerRole, async (session) => [
            ...await tasks(context, session, schema),
            ...await dynamicTables(context, session, schema, now()),
            ...await changeTracking(context, session, schema),
            ...await refreshOverlap(context, session, schema),
            ...await ingestion(context, session, schema, now()),
            ...await dashboard(context, session),
            ...await notifications(context, session),
            ...await realtimePlan(context, session),
            ...await hllForm(context, session),
        ]);
    };
}
