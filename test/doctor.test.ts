import { expect } from "chai";
import * as crypto from "crypto";

import { analyseStack, plainStackConfig, settingsFrom, stackConfig } from "../doctor/context";
import { parseArgs } from "../doctor/cli";
import { notReadOnly, ReadOnlyRefusal, ReadOnlySession } from "../doctor/readOnly";
import { exitCode, Finding, renderJson, renderText, Report } from "../doctor/report";
import { runDoctor } from "../doctor/run";
import { EVALUATION_KEY, evaluationSpanTypes, recognisedObjectType, recognisedSpanNames, RELIED_ON } from "../doctor/shapes";
import type { OfflineBuild } from "../plan/offline";
import type { Analysis } from "../privileges/check";
import { ACCESS_URL_ENV, withSession } from "../provider/connection";
import { DYNAMIC_TABLE_NAMES } from "../lib/sql/catalog";
import { EMULATOR_HLL_SPARSE_LIMIT, EXPECTED_HISTORY_SCANS, realtimePlan } from "../doctor/liveFacts";
import { ExplainRow, FakeAccount, grantRows, realtimeReadPlan, scriptAccount, scriptRealtimePlan } from "./fakes/doctorAccount";
import { FakeSnowflake } from "./fakes/snowflakeServer";

/**
 * The doctor against the protocol fake through the real snowflake-sdk: a healthy account, then
 * each failure a check exists to catch, with the report line and the exit status it must give.
 */

const STACK = "dev";
const NOW = new Date("2026-12-01T14:00:00Z");
const AGENT = "SNOWFLAKE_INTELLIGENCE.AGENTS.SALES_AGENT";
const OWNER = "WALLMONITOR_DEV_OWNER";
const VIEWER = "WALLMONITOR_DEV_VIEWER";
const SCHEMA = "WALLMONITOR_DEV.WALLMONITOR";
const HISTORY = `${SCHEMA}.AGENT_EVENTS_HISTORY`;
const P = "snow.ai.observability.";

const keys = (names: readonly string[], count: number) => Object.fromEntries(names.map((name) => [`${P}${name}`, count]));
const IDENTITY = ["object.name", "object.type", "database.name", "schema.name"];

/** The dev stack's offline build (set once, before the tests): the objects a healthy account shows. */
let devBuild: OfflineBuild;

/** The build's objects of one kind, by their plain name, with their inputs. */
function declaredObjects(build: OfflineBuild, resourceKind: string): { name: string; inputs: Record<string, unknown> }[] {
    return build.resources.filter((resource) => resource.type.endsWith(`:${resourceKind}`))
        .map((resource) => ({ name: String(resource.inputs.name).replace(/"/g, "").split(".").pop()!, inputs: resource.inputs }));
}

/** An account where `pulumi up` ran and everything works: the roles hold exactly the declared grants, the build's tasks run. */
function healthyAccount(analysis: Analysis, deployed = true, build?: OfflineBuild): FakeAccount {
    const objectsOf = build ?? devBuild;
    const declaredMode = new Map(declaredObjects(objectsOf, "DynamicTable").map((table) => [table.name, String(table.inputs.refreshMode)]));
    const objects = { "DYNAMIC TABLE": DYNAMIC_TABLE_NAMES.map((name) => `${SCHEMA}.${name}`),
        AGENT: [AGENT] };
    const grants: Record<string, FakeAccount["grants"][string]> = {
        ACCOUNTADMIN: [{ privilege: "USAGE", grantedOn: "ROLE", name: "SYSADMIN" }, { privilege: "USAGE", grantedOn: "ROLE", name: "SECURITYADMIN" },
            { privilege: "CREATE DATABASE", grantedOn: "ACCOUNT", name: "ACME_DEV" }],
    };
    if (deployed) {
        for (const grant of analysis.grants.filter((candidate) => !candidate.grantee.startsWith("SHARE "))) {
            // The account has the reader role under its current name only.
            if (grant.role === "SNOWFLAKE.AI_OBSERVABILITY_EVENTS_LOOKUP") {
                continue;
            }
            grants[grant.grantee] = [...(grants[grant.grantee] ?? []), ...grantRows(grant, objects)];
        }
        grants[OWNER].push(...["AGENT_EVENTS_HISTORY", "AGENT_REGISTRY"].map((name) => ({ privilege: "OWNERSHIP", grantedOn: "TABLE", name: `${SCHEMA}.${name}` })),
            { privilege: "OWNERSHIP", grantedOn: "TASK", name: `${SCHEMA}.REFRESH_AGENT_EVENTS_TASK` },
            { privilege: "OWNERSHIP", grantedOn: "VIEW", name: `${SCHEMA}.AGENT_METRICS` });
    }
    const futureGrants = deployed ? analysis.grants.filter((grant) => grant.on?.kind === "future").map((grant) => {
        const on = grant.on as { objectType: string; in: { type: "SCHEMA" | "DATABASE"; name: string } };
        return { in: on.in.type, container: on.in.name, privilege: grant.privileges[0], grantOn: on.objectType.replace(/ /g, "_"), grantee: grant.grantee };
    }) : [];
    return {
        account: "ANALYTICS_DEV", region: "AWS_US_WEST_2",
        roles: ["ACCOUNTADMIN", "SYSADMIN", "SECURITYADMIN", ...(deployed ? [OWNER, VIEWER] : [])],
        applicationRoles: ["AI_OBSERVABILITY_READER", "AI_OBSERVABILITY_ADMIN"],
        grants, futureGrants,
        parameters: { CORTEX_ENABLED_CROSS_REGION: "ANY_REGION", ALLOW_BIND_VALUES_ACCESS: "FALSE" },
        eventTableReadable: true,
        agentsInEvents: [{ name: AGENT, events: 812 }],
        newestEvent: "2026-12-01 13:55:00.000",
        spans: [
            { agent: AGENT, kind: "ROOT", name: "AgentV2RequestResponseInfo", objectType: "Cortex Agent", spans: 100,
                keys: keys([...IDENTITY, "agent.thread_id", "agent.status.code"], 100) },
            { agent: AGENT, kind: "PLANNING", name: "ReasoningAgentStepPlanning-0", objectType: "Cortex Agent", spans: 250,
                keys: keys([...IDENTITY, "agent.planning.token_count.input", "agent.planning.token_count.output", "agent.planning.model"], 250) },
            { agent: AGENT, kind: "OTHER", name: "SqlExecution_CortexAnalyst", objectType: "CORTEX AGENT", spans: 150, keys: keys(IDENTITY, 150) },
        ],
        refusals: [],
        tasks: (build === undefined ? ["REFRESH_AGENT_EVENTS_TASK", "DISCOVER_AGENTS_TASK", "ROLLUP_AGENT_EVENTS_TASK"]
            : build.resources.filter((resource) => resource.type.endsWith(":Task")).map((resource) => String(resource.inputs.name)))
            .map((name) => ({ name, state: "started" as const, lastState: "SUCCEEDED", failures: 0, lastError: null })),
        showsOverlapPolicy: true,
        dynamicTables: DYNAMIC_TABLE_NAMES.map((name) => ({ name, schedulingState: "ACTIVE", targetLag: "1 hour", dataTimestamp: "2026-12-01 13:40:00.000",
            ...(declaredMode.get(name) === "FULL" ? { refreshMode: "FULL", refreshModeReason: "Full refresh mode was specified by the user." } : { refreshMode: "INCREMENTAL" }) })),
        tables: declaredObjects(objectsOf, "Table").map((table) => ({ name: table.name, changeTracking: table.inputs.changeTracking === true })),
        views: declaredObjects(objectsOf, "View").map((view) => ({ name: view.name, changeTracking: String(view.inputs.changeTracking) === "true" })),
        agentHealth: [{ agent: AGENT, health: "HEALTHY", lastEvent: "2026-12-01 13:50:00.000", lagMinutes: 10, error: null }],
        streamlits: [{ name: "WALLMONITOR_DASHBOARD", urlId: "abc123" }],
        notificationIntegrations: [],
        deliveryFailures: [],
        eventLateness: { events: 780, needingOverlap: 0, maxDelaySeconds: 14 * 60 },
        traceSpans: { traces: 100, beyondMargin: 0, longestSeconds: 95, longestTrace: `${AGENT} trace 0af7651916cd43dd8448eb211c80319c` },
        missedEvents: [],
        refreshCalls: { calls: 672, overlapping: 0, firstOverlapAt: null },
        hllSparseLimit: EMULATOR_HLL_SPARSE_LIMIT,
        warehouse: { name: "WALLMONITOR_DEV_WH", computeRole: OWNER },
        // A month of history: the window's scan keeps its last day, the strip's the day before.
        realtimePlan: { view: `${SCHEMA}.AGENT_METRICS`, rows: realtimeReadPlan(HISTORY, { partitions: 480, pruned: { window: 16, strip: 16 } }) },
    };
}

describe("wallmonitor doctor against the protocol fake", function () {
    this.timeout(300_000);
    let fake: FakeSnowflake;
    let analysis: Analysis;
    let privateKey: string;
    let publicKey: string;

    before(async () => {
        ({ analysis, build: devBuild } = await analyseStack(STACK));
        const pair = crypto.generateKeyPairSync("rsa", { modulusLength: 2048,
            publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } });
        privateKey = pair.privateKey;
        publicKey = pair.publicKey;
    });

    beforeEach(async () => {
        fake = await FakeSnowflake.start();
        fake.addUser("WALLMONITOR_DEPLOY", { publicKey });
        // What `pulumi up` leaves: MONITOR on all and future agents in the configured location.
        fake.grantOnAgents(OWNER, "MONITOR", { scope: "FUTURE", in: "SCHEMA", name: "SNOWFLAKE_INTELLIGENCE.AGENTS" });
        fake.addAgent({ database: "SNOWFLAKE_INTELLIGENCE", schema: "AGENTS", name: "SALES_AGENT" });
    });

    afterEach(async () => {
        await fake.stop();
    });

    async function doctor(account: FakeAccount, beforeDeploy = false, env: NodeJS.ProcessEnv = {}, stack = STACK,
                          overrides: Record<string, string> = {}): Promise<Report> {
        scriptAccount(fake, account);
        return runDoctor({ stack, beforeDeploy, now: () => NOW, overrides,
            env: { [ACCESS_URL_ENV]: fake.url, SNOWFLAKE_PRIVATE_KEY: privateKey, ...env },
            limits: { attempts: 1, firstRetryDelayMs: 10, requestTimeoutMs: 10_000, statementTimeoutMs: 20_000 } });
    }

    const failures = (report: Report) => report.findings.filter((finding) => finding.status === "fail");
    const line = (report: Report, status: Finding["status"], pattern: RegExp) =>
        report.findings.find((finding) => finding.status === status && pattern.test(finding.title));

    it("reports a healthy deployed account with no failure and exit 0, sending only read-only statements", async () => {
        const report = await doctor(healthyAccount(analysis));
        expect(failures(report), renderText(report)).to.deep.equal([]);
        expect(exitCode(report)).to.equal(0);
        expect(line(report, "pass", /^logged in as WALLMONITOR_DEPLOY with role ACCOUNTADMIN$/)).to.not.equal(undefined);
        expect(line(report, "pass", new RegExp(`^role ${OWNER} holds all \\d+ grants the privilege model declares for it$`))).to.not.equal(undefined);
        expect(line(report, "pass", new RegExp(`^role ${OWNER} sees every agent that wrote events`))).to.not.equal(undefined);
        expect(line(report, "pass", /^250 of 250 planning spans carry `snow\.ai\.observability\.agent\.planning\.token_count\.input`$/)).to.not.equal(undefined);
        expect(line(report, "pass", /^\d+ statements compile here \(EXPLAIN\)$/)).to.not.equal(undefined);
        expect(line(report, "not-checked", /statements not compiled: DDL and session statements/)).to.not.equal(undefined);
        expect(line(report, "pass", /^task WALLMONITOR_DEV\.WALLMONITOR\.REFRESH_AGENT_EVENTS_TASK is started; last run SUCCEEDED/)).to.not.equal(undefined);
        expect(line(report, "pass", /^ALLOW_BIND_VALUES_ACCESS = FALSE/)).to.not.equal(undefined);
        expect(line(report, "pass", /^\[open\] MONITOR on an agent is enough for GET_AI_OBSERVABILITY_EVENTS \(older pages also list USAGE\): the check succeeded here$/)).to.not.equal(undefined);
        // Every statement that reached Snowflake is one the gate lets through, and none was refused.
        expect(fake.statements.length).to.be.greaterThan(20);
        expect(fake.statements.filter((statement) => notReadOnly(statement.sql) !== undefined).map((statement) => statement.sql)).to.deep.equal([]);
        // Binds go only to EXPLAIN, all of them NULL: no value leaves the doctor.
        const bound = fake.statements.filter((statement) => statement.binds !== undefined);
        expect(bound.length).to.be.greaterThan(0);
        expect(bound.filter((statement) => !/^EXPLAIN /.test(statement.sql) || statement.binds!.some((value) => value !== "null"))).to.deep.equal([]);
        expect(line(report, "not-checked", /takes bind values/)).to.equal(undefined);
        // The checks that read one role's privileges run as that role alone.
        const asOwner = fake.statements.filter((statement) => statement.role === OWNER);
        expect(asOwner[0].sql).to.equal("USE SECONDARY ROLES NONE");
        expect(asOwner.some((statement) => /^SHOW AGENTS IN ACCOUNT$/.test(statement.sql))).to.equal(true);
    });

    it("settles the live facts after deploy on a healthy account: nothing missed, no overlap, incremental refreshes, change tracking, the HLL switch", async () => {
        const report = await doctor(healthyAccount(analysis));
        const pass = (pattern: RegExp) => expect(line(report, "pass", pattern), `${pattern}\n${renderText(report)}`).to.not.equal(undefined);
        pass(/^no event of the last 24 hours was missed: every event older than its agent's read point is stored$/);
        pass(/^0 of 780 events loaded in the last 7 days needed the overlap; the latest was stored 14 min after it happened$/);
        pass(new RegExp(`^every one of the 100 traces of the last 7 days lies within 1 day; the longest spans 2 min \\(${AGENT.replace(/\./g, "\\.")} trace 0af7651916cd43dd8448eb211c80319c\\)$`));
        pass(new RegExp(`^task ${SCHEMA}\\.REFRESH_AGENT_EVENTS_TASK never runs beside itself \\(OVERLAP_POLICY = NO_OVERLAP\\)$`));
        pass(/^no two of the 672 REFRESH_AGENT_EVENTS calls of the last 7 days overlapped$/);
        pass(new RegExp(`^dynamic table ${SCHEMA}\\.DT_AGENT_MONTHLY_LATENCY refreshes INCREMENTAL, as declared$`));
        pass(new RegExp(`^dynamic table ${SCHEMA}\\.DT_HOURLY_THREAD_ACTIVITY_RECENT refreshes INCREMENTAL, as declared$`));
        pass(new RegExp(`^table ${SCHEMA}\\.AGENT_DAILY_LATENCY has change tracking on$`));
        pass(new RegExp(`^HLL_EXPORT switches from sparse to dense at ${EMULATOR_HLL_SPARSE_LIMIT} registers set, as the emulator assumes$`));
        pass(/^Snowflake computes the realtime window's CTE once: a read of AGENT_METRICS scans AGENT_EVENTS_HISTORY 2 times/);
        pass(/^Snowflake prunes AGENT_EVENTS_HISTORY by the window bound /);
        // Declared FULL dynamic tables are not held to INCREMENTAL.
        expect(report.findings.filter((finding) => /DT_AGENT_METRICS_RECENT refreshes (INCREMENTAL|FULL)/.test(finding.title))).to.deep.equal([]);
        for (const pattern of [/AS MISSED_EVENTS,/, /AS EVENTS_NEEDING_OVERLAP,/, /AS TRACES_BEYOND_MARGIN,/, /AS CALLS,/, /^SHOW TABLES IN SCHEMA /, /AS ROW_COUNT,/,
            /^EXPLAIN USING TABULAR SELECT \* FROM WALLMONITOR_DEV\.WALLMONITOR\.AGENT_METRICS$/]) {
            const ran = fake.statements.filter((statement) => pattern.test(statement.sql));
            expect(ran.length, String(pattern)).to.be.greaterThan(0);
            expect(ran.every((statement) => statement.role === OWNER), String(pattern)).to.equal(true);
        }
    });

    it("warns on each live fact that does not hold, with its fix", async () => {
        const account = healthyAccount(analysis);
        account.missedEvents.push({ agent: AGENT, events: 9, oldest: "2026-12-01 12:13:00.000", maxDelaySeconds: 46 * 60 + 20 });
        account.tasks[0] = { ...account.tasks[0], overlapPolicy: "ALLOW_ALL_OVERLAP" };
        account.dynamicTables[account.dynamicTables.findIndex((table) => table.name === "DT_AGENT_MONTHLY_LATENCY")] = {
            name: "DT_AGENT_MONTHLY_LATENCY", schedulingState: "ACTIVE", targetLag: "1 hour", dataTimestamp: "2026-12-01 13:40:00.000",
            refreshMode: "FULL", refreshModeReason: "Change tracking is not enabled on AGENT_DAILY_LATENCY." };
        account.dynamicTables[account.dynamicTables.findIndex((table) => table.name === "DT_HOURLY_THREAD_ACTIVITY_RECENT")] = {
            name: "DT_HOURLY_THREAD_ACTIVITY_RECENT", schedulingState: "ACTIVE", targetLag: "1 hour", dataTimestamp: "2026-12-01 13:40:00.000",
            refreshMode: "FULL", refreshModeReason: "Change tracking is not enabled on AGENT_EVENTS_RECENT." };
        account.tables[account.tables.findIndex((table) => table.name === "AGENT_DAILY_LATENCY")] = { name: "AGENT_DAILY_LATENCY", changeTracking: false };
        account.tables[account.tables.findIndex((table) => table.name === "AGENT_EVENTS_HISTORY")] = { name: "AGENT_EVENTS_HISTORY", changeTracking: true, retentionDays: 0 };
        const report = await doctor({ ...account, refreshCalls: { calls: 680, overlapping: 2, firstOverlapAt: "2026-11-28 09:00:04.000" },
            hllSparseLimit: 1500, eventLateness: { events: 780, needingOverlap: 31, maxDelaySeconds: 23 * 60 },
            traceSpans: { traces: 100, beyondMargin: 3, longestSeconds: 2 * 86400 + 1800, longestTrace: `${AGENT} trace 5b8aa5a2d2c872e8321cf37308d69df2` } });
        const warn = (pattern: RegExp) => {
            const found = line(report, "warn", pattern);
            expect(found, `${pattern}\n${renderText(report)}`).to.not.equal(undefined);
            return found!;
        };
        const missed = warn(/^9 events of the last 24 hours reached the event table too late and were never stored$/);
        expect(missed.evidence).to.equal(`${AGENT}: 9 (oldest 2026-12-01 12:13:00.000, 47 min before its read basis)\n` +
            "ingestOverlapMinutes is 5; 47 would have caught them all");
        expect(missed.fix).to.equal("pulumi config set wallmonitor:ingestOverlapMinutes 47, then pulumi up (events as late as these are then read; " +
            "62, one refresh interval more, also reloads these at the next cycle)");
        expect(line(report, "pass", /^31 of 780 events loaded in the last 7 days needed the overlap; the latest was stored 23 min after it happened$/)).to.not.equal(undefined);
        const traces = warn(new RegExp(`^3 of the 100 traces of the last 7 days span more than 1 day; the longest 48\\.5 h \\(${AGENT.replace(/\./g, "\\.")} trace 5b8aa5a2d2c872e8321cf37308d69df2\\)$`));
        expect(traces.evidence).to.match(/rows of such a trace outside that bound may be counted as production in the realtime views and the rollups/);
        expect(traces.fix).to.match(/TRACE_MARGIN_DAYS in lib\/sql\/traceMargin\.ts$/);
        expect(warn(/REFRESH_AGENT_EVENTS_TASK may run beside itself \(OVERLAP_POLICY = ALLOW_ALL_OVERLAP\)$/).fix)
            .to.equal(`ALTER TASK ${SCHEMA}.REFRESH_AGENT_EVENTS_TASK SUSPEND; ALTER TASK ${SCHEMA}.REFRESH_AGENT_EVENTS_TASK SET OVERLAP_POLICY = NO_OVERLAP; ` +
                `ALTER TASK ${SCHEMA}.REFRESH_AGENT_EVENTS_TASK RESUME (as ${OWNER})`);
        expect(warn(/^2 of the 680 REFRESH_AGENT_EVENTS calls of the last 7 days started while an earlier one still ran$/).evidence)
            .to.match(/^first at 2026-11-28 09:00:04\.000;/);
        expect(warn(/DT_HOURLY_THREAD_ACTIVITY_RECENT refreshes FULL, not INCREMENTAL as declared$/).evidence)
            .to.match(/^refresh_mode_reason: Change tracking is not enabled on AGENT_EVENTS_RECENT\.; each refresh recomputes the whole table$/);
        expect(warn(/DT_AGENT_MONTHLY_LATENCY refreshes FULL, not INCREMENTAL as declared$/).evidence)
            .to.match(/^refresh_mode_reason: Change tracking is not enabled on AGENT_DAILY_LATENCY\./);
        expect(warn(/^table WALLMONITOR_DEV\.WALLMONITOR\.AGENT_DAILY_LATENCY has change tracking OFF$/).fix)
            .to.equal(`pulumi up, or ALTER TABLE ${SCHEMA}.AGENT_DAILY_LATENCY SET CHANGE_TRACKING = TRUE (as ${OWNER})`);
        expect(warn(/^table WALLMONITOR_DEV\.WALLMONITOR\.AGENT_EVENTS_HISTORY has change tracking on but DATA_RETENTION_TIME_IN_DAYS = 0$/).fix)
            .to.match(new RegExp(`^ALTER TABLE ${SCHEMA}\\.AGENT_EVENTS_HISTORY SET DATA_RETENTION_TIME_IN_DAYS = 1 \\(as ${OWNER}\\)`));
        // The fake's account keeps 1,457 registers (1,800 values) sparse: the switch lies above it.
        const hll = warn(new RegExp(`^HLL_EXPORT switches from sparse to dense between 1457 and 1871 registers set, not at ${EMULATOR_HLL_SPARSE_LIMIT} as the emulator assumes$`));
        expect(hll.evidence).to.include("1800 values: SPARSE with 1457 registers set");
        expect(exitCode(report)).to.equal(0);
    });

    it("says what it could not check, and the grant that allows it: event table refused, no call visible, no warehouse", async () => {
        const account = healthyAccount(analysis);
        account.refusals.push({ pattern: /AS MISSED_EVENTS,/, code: "002003",
            message: "SQL compilation error:\nObject 'SNOWFLAKE.LOCAL.AI_OBSERVABILITY_EVENTS' does not exist or not authorized." });
        account.refusals.push({ pattern: /AS TRACES_BEYOND_MARGIN,/, code: "002003",
            message: "SQL compilation error:\nObject 'WALLMONITOR_DEV.WALLMONITOR.AGENT_EVENTS_HISTORY' does not exist or not authorized." });
        account.grants[OWNER] = account.grants[OWNER].filter((grant) => grant.grantedOn !== "WAREHOUSE");
        const report = await doctor({ ...account, showsOverlapPolicy: false, refreshCalls: { calls: 0, overlapping: 0, firstOverlapAt: null } });
        const notChecked = (pattern: RegExp) => {
            const found = line(report, "not-checked", pattern);
            expect(found, `${pattern}\n${renderText(report)}`).to.not.equal(undefined);
            return found!;
        };
        expect(notChecked(/^events Wallmonitor missed could not be counted: the event table is not readable here$/).fix)
            .to.match(new RegExp(`^GRANT APPLICATION ROLE SNOWFLAKE\\.AI_OBSERVABILITY_READER TO ROLE ${OWNER}`));
        expect(notChecked(/^how far apart the rows of one trace lie could not be measured$/).evidence)
            .to.match(/AGENT_EVENTS_HISTORY' does not exist or not authorized/);
        expect(notChecked(new RegExp(`^no REFRESH_AGENT_EVENTS call of the last 7 days is visible to role ${OWNER} in QUERY_HISTORY$`)).evidence).to.match(/^\[open\]/);
        const hll = notChecked(/^where HLL_EXPORT switches from sparse to dense could not be checked$/);
        expect(hll.evidence).to.match(/^No active warehouse selected in the current session/);
        expect(hll.fix).to.equal(`GRANT USAGE ON WAREHOUSE WALLMONITOR_DEV_WH TO ROLE ${OWNER} (pulumi up does this)`);
        // Without the overlap_policy column (bundle 2026_02 not enabled), the older column decides.
        expect(line(report, "pass", /REFRESH_AGENT_EVENTS_TASK never runs beside itself \(ALLOW_OVERLAPPING_EXECUTION = FALSE\)$/)).to.not.equal(undefined);
        expect(fake.statements.filter((statement) => /AS ROW_COUNT,/.test(statement.sql)).map((statement) => statement.role)).to.deep.equal([OWNER]);
    });

    it("fails on a missing grant, naming it and the statement that makes it (exit 1)", async () => {
        const account = healthyAccount(analysis);
        account.grants[OWNER] = account.grants[OWNER].filter((grant) => grant.privilege !== "EXECUTE TASK");
        const withoutFuture = { ...account, futureGrants: account.futureGrants.filter((grant) => grant.grantee !== VIEWER) };
        const report = await doctor(withoutFuture);
        expect(line(report, "fail", new RegExp(`^role ${VIEWER} lacks SELECT ON FUTURE DYNAMIC TABLES IN SCHEMA ${SCHEMA}$`))).to.not.equal(undefined);
        const missing = line(report, "fail", new RegExp(`^role ${OWNER} lacks EXECUTE TASK, EXECUTE MANAGED TASK ON ACCOUNT$`));
        expect(missing, renderText(report)).to.not.equal(undefined);
        expect(missing!.fix).to.include(`GRANT EXECUTE TASK, EXECUTE MANAGED TASK ON ACCOUNT TO ROLE ${OWNER}`);
        expect(exitCode(report)).to.equal(1);
        expect(renderText(report)).to.match(new RegExp(`\\n  FAIL        role ${OWNER} lacks EXECUTE TASK, EXECUTE MANAGED TASK ON ACCOUNT\\n`));
    });

    it("lists extra grants that widen access, and fails a viewer that can read raw events", async () => {
        const account = healthyAccount(analysis);
        account.grants[VIEWER].push({ privilege: "SELECT", grantedOn: "TABLE", name: `${SCHEMA}.AGENT_EVENTS_HISTORY` });
        account.grants[OWNER].push({ privilege: "USAGE", grantedOn: "ROLE", name: "ACCOUNTADMIN" });
        const report = await doctor(account);
        expect(line(report, "warn", new RegExp(`^role ${VIEWER} holds SELECT on TABLE ${SCHEMA}\\.AGENT_EVENTS_HISTORY, which Wallmonitor does not need`)),
            renderText(report)).to.not.equal(undefined);
        expect(line(report, "warn", new RegExp(`^role ${OWNER} holds USAGE on ROLE ACCOUNTADMIN`))?.fix).to.equal(`REVOKE ROLE ACCOUNTADMIN FROM ROLE ${OWNER}`);
        expect(line(report, "fail", new RegExp(`^role ${VIEWER} can read raw or textual data: SELECT on TABLE ${SCHEMA}\\.AGENT_EVENTS_HISTORY$`))).to.not.equal(undefined);
        expect(exitCode(report)).to.equal(1);
    });

    it("fails on an agent that writes events the owner role cannot see (per-agent path)", async () => {
        // Created after the grants and outside the future grant's schema: the owner holds nothing on it.
        fake.addAgent({ database: "SNOWFLAKE_INTELLIGENCE", schema: "AGENTS", name: "HR_AGENT" });
        fake.grantOnAgents("NOBODY", "MONITOR", { agent: "SNOWFLAKE_INTELLIGENCE.AGENTS.HR_AGENT" });
        const account = healthyAccount(analysis);
        account.agentsInEvents.push({ name: "SNOWFLAKE_INTELLIGENCE.AGENTS.HR_AGENT", events: 40 }, { name: "FINANCE.BOTS.LEDGER_AGENT", events: 7 });
        const report = await doctor(account);
        // HR_AGENT is visible: the future grant in its schema reached it. LEDGER_AGENT is not, and lies outside agentLocations.
        expect(line(report, "fail", /^agent FINANCE\.BOTS\.LEDGER_AGENT wrote 7 events but role WALLMONITOR_DEV_OWNER cannot see it \(SHOW AGENTS\)$/),
            renderText(report)).to.not.equal(undefined);
        expect(line(report, "fail", /^agent FINANCE\.BOTS\.LEDGER_AGENT is outside wallmonitor:agentLocations/)?.fix).to.equal("add FINANCE.BOTS to wallmonitor:agentLocations");
        expect(line(report, "fail", /HR_AGENT/)).to.equal(undefined);
        expect(exitCode(report)).to.equal(1);
    });

    it("fails on an attribute no span carries any more, with what it zeroes", async () => {
        const account = healthyAccount(analysis);
        const planning = account.spans[1];
        account.spans[1] = { ...planning, keys: Object.fromEntries(Object.entries(planning.keys).filter(([key]) => !key.endsWith("token_count.input"))) };
        account.spans.push({ agent: AGENT, kind: "OTHER", name: "BrandNewStep", objectType: "Cortex Agent", spans: 60, keys: keys(IDENTITY, 60) },
            // Evaluation spans have names of their own: counted as evaluation traffic, not as unrecognised names.
            { agent: AGENT, kind: "OTHER", name: "EvalRoot_correctness", objectType: "Cortex Agent", spans: 20, spanType: "eval_root", keys: keys(IDENTITY, 20) },
            { agent: AGENT, kind: "ROOT", name: "AgentV2RequestResponseInfo", objectType: "Cortex Agent", spans: 5, runName: true,
                keys: { ...keys([...IDENTITY, "agent.thread_id", "agent.status.code"], 5), [EVALUATION_KEY]: 5 } });
        const report = await doctor(account);
        expect(line(report, "fail", /^0 of 250 planning spans carry `snow\.ai\.observability\.agent\.planning\.token_count\.input`: input token counts will be 0$/),
            renderText(report)).to.not.equal(undefined);
        expect(line(report, "warn", /^60 of 585 spans have names Wallmonitor does not recognise/)?.evidence).to.equal("BrandNewStep (60)");
        expect(line(report, "pass", /^25 of 585 spans belong to evaluation runs/)).to.not.equal(undefined);
        expect(exitCode(report)).to.equal(1);
    });

    it("fails on a statement that does not compile here, with its name and Snowflake's message", async () => {
        const account = healthyAccount(analysis);
        const message = "SQL compilation error: error line 5 at position 8\ninvalid identifier 'IS_EVALUATION'";
        account.refusals.push({ code: "000904", pattern: /^EXPLAIN USING TABULAR WITH windowed AS \(\s+SELECT\s+IFF\(EVENT_TIMESTAMP >= DATEADD\('hour', -1/, message });
        const report = await doctor(account);
        const failed = line(report, "fail", /^view REALTIME_KPI \(dashboards\/realtime_kpi\.sql\) does not compile$/);
        expect(failed, renderText(report)).to.not.equal(undefined);
        expect(failed!.evidence).to.include("invalid identifier 'IS_EVALUATION'");
        expect(line(report, "pass", /^\d+ statements compile here \(EXPLAIN\), 1 do not$/)).to.not.equal(undefined);
        expect(exitCode(report)).to.equal(1);
    });

    it("compiles statements with binds with NULL in their place, and lists a NULL Snowflake refuses as not checked", async () => {
        const account = healthyAccount(analysis);
        account.refusals.push(
            { code: "000904", pattern: /^EXPLAIN USING TABULAR [\s\S]*MERGE INTO WALLMONITOR_DEV\.WALLMONITOR\.AGENT_REGISTRY[\s\S]*AI_OBSERVABILITY_EVENTS/,
                message: "SQL compilation error: error line 9 at position 12\ninvalid identifier 'E.RECORD_ATTRIBUTES'" },
            { code: "000904", pattern: /^EXPLAIN USING TABULAR [\s\S]*DELETE FROM WALLMONITOR_DEV\.WALLMONITOR\.AGENT_EVENTS_HISTORY/,
                message: "SQL compilation error:\nargument 2 to function DATEADD needs to be constant, found 'NULL'" });
        const report = await doctor(account);
        const failed = line(report, "fail", /^procedure statement merge_agents_from_events \(ingestion\/merge_agents_from_events\.sql\) does not compile \(compiled with NULL for its \d+ bind values\)$/);
        expect(failed, renderText(report)).to.not.equal(undefined);
        expect(failed!.evidence).to.include("invalid identifier 'E.RECORD_ATTRIBUTES'");
        const refused = line(report, "not-checked", /^2 statements not compiled: Snowflake refused NULL in place of their bind values$/);
        expect(refused?.evidence?.split("\n")).to.deep.equal([
            "procedure statement apply_retention: SQL compilation error: argument 2 to function DATEADD needs to be constant, found 'NULL'",
            // The fake's event function refuses an agent it does not hold, as Snowflake documents; NULL names none.
            "procedure statement insert_agent_events: SQL compilation error: Agent 'NULL.NULL.NULL' does not exist or not authorized.",
        ]);
        expect(exitCode(report)).to.equal(1);
    });

    it("fails on a suspended task, with the command that resumes it", async () => {
        const account = healthyAccount(analysis);
        account.tasks[0] = { ...account.tasks[0], state: "suspended", lastState: "FAILED", failures: 3, lastError: "EXECUTE TASK privilege must be granted to owner role" };
        account.refusals.push({ pattern: /SNOWFLAKE_COWORK_USAGE_HISTORY/, code: "002003",
            message: "SQL compilation error:\nObject 'SNOWFLAKE.ACCOUNT_USAGE.SNOWFLAKE_COWORK_USAGE_HISTORY' does not exist or not authorized." });
        const report = await doctor(account);
        expect(line(report, "warn", /^\[open\] Which database role reads ACCOUNT_USAGE\.SNOWFLAKE_COWORK_USAGE_HISTORY: the check was refused here$/)?.evidence)
            .to.equal(`SELECT 1 FROM SNOWFLAKE.ACCOUNT_USAGE.SNOWFLAKE_COWORK_USAGE_HISTORY LIMIT 0 as ${OWNER}: SQL compilation error:\n` +
                "Object 'SNOWFLAKE.ACCOUNT_USAGE.SNOWFLAKE_COWORK_USAGE_HISTORY' does not exist or not authorized.");
        const suspended = line(report, "fail", /^task WALLMONITOR_DEV\.WALLMONITOR\.REFRESH_AGENT_EVENTS_TASK is suspended$/);
        expect(suspended, renderText(report)).to.not.equal(undefined);
        expect(suspended!.fix).to.match(/^ALTER TASK WALLMONITOR_DEV\.WALLMONITOR\.REFRESH_AGENT_EVENTS_TASK RESUME/);
        expect(exitCode(report)).to.equal(1);
    });

    it("before the first deploy: the roles pulumi up creates are expected missing, and what needs them is not checked (exit 0)", async () => {
        const report = await doctor(healthyAccount(analysis, false), true);
        expect(failures(report), renderText(report)).to.deep.equal([]);
        expect(line(report, "pass", new RegExp(`^role ${OWNER} does not exist yet: pulumi up creates it$`))).to.not.equal(undefined);
        expect(line(report, "pass", /^admin role ACCOUNTADMIN holds every account privilege the plan's statements need/)).to.not.equal(undefined);
        expect(line(report, "not-checked", /statements not compiled: reads objects pulumi up creates$/)).to.not.equal(undefined);
        expect(report.findings.some((finding) => finding.area === "deployed")).to.equal(false);
        expect(exitCode(report)).to.equal(0);
        // Nothing ran as a role that does not exist yet.
        expect(fake.statements.filter((statement) => statement.role === OWNER)).to.deep.equal([]);
    });

    it("before deploying a stack that binds secrets: fails while bind values are readable, and where the event table cannot be read", async () => {
        const account = healthyAccount(analysis, false);
        account.roles.push("PLATFORM_ADMIN");
        account.parameters.ALLOW_BIND_VALUES_ACCESS = "TRUE";
        account.applicationRoles.length = 0;
        const report = await doctor({ ...account, eventTableReadable: false }, true, {}, "prod");
        const binds = line(report, "fail", /^ALLOW_BIND_VALUES_ACCESS = TRUE: bind values are readable in bind and query history$/);
        expect(binds, renderText(report)).to.not.equal(undefined);
        expect(binds!.fix).to.match(/^ALTER ACCOUNT SET ALLOW_BIND_VALUES_ACCESS = FALSE \(as ACCOUNTADMIN\), or set wallmonitor:acceptReadableBindValues to true/);
        expect(line(report, "fail", /^neither SNOWFLAKE\.AI_OBSERVABILITY_READER nor SNOWFLAKE\.AI_OBSERVABILITY_EVENTS_LOOKUP is visible$/)).to.not.equal(undefined);
        expect(line(report, "fail", /^the event table is not readable by the login role \(the owner role does not exist yet\)$/)?.evidence).to.include("does not exist or not authorized");
        expect(line(report, "not-checked", /^live event shapes: the event table is not readable here$/)).to.not.equal(undefined);
        expect(exitCode(report)).to.equal(1);
    });

    it("checks the stack's notification integrations: missing, disabled, failing deliveries", async () => {
        // dev is a monitoring stack: its notification integration comes from a deploy-admin role.
        const overrides = {
            "wallmonitor:alertingEnabled": "true", "wallmonitor:alertEmailRecipients": "oncall@acme.com",
            "wallmonitor:deployAdminRole": "SFE_WALLMONITOR_DEPLOY_ADMIN",
        };
        const alerting = await analyseStack(STACK, overrides);
        const integration = "WALLMONITOR_DEV_WALLMONITOR_ALERT_EMAIL";
        const account = healthyAccount(alerting.analysis, true, alerting.build);
        const missing = await doctor(account, false, {}, STACK, overrides);
        expect(line(missing, "fail", new RegExp(`^notification integration ${integration} does not exist`)), renderText(missing)).to.not.equal(undefined);
        expect(line(missing, "pass", new RegExp(`^role ${OWNER} holds all \\d+ grants`))).to.not.equal(undefined);
        fake.reset();
        const failing = await doctor({ ...account, notificationIntegrations: [{ name: integration, type: "EMAIL", enabled: true }],
            deliveryFailures: [{ integration, failures: 2, lastError: "Email recipient not verified: oncall@acme.com" }] }, false, {}, STACK, overrides);
        expect(line(failing, "warn", new RegExp(`^notification integration ${integration}: 2 failed deliveries in the last day$`))?.evidence)
            .to.equal("last error: Email recipient not verified: oncall@acme.com");
        expect(failures(failing), renderText(failing)).to.deep.equal([]);
        fake.reset();
        const disabled = await doctor({ ...account, notificationIntegrations: [{ name: integration, type: "EMAIL", enabled: false }] }, false, {}, STACK, overrides);
        expect(line(disabled, "fail", new RegExp(`^notification integration ${integration} is disabled$`))?.fix)
            .to.equal(`ALTER NOTIFICATION INTEGRATION ${integration} SET ENABLED = TRUE (as its owner)`);
    });

    it("exits 2 when it cannot log in, without the key in the report", async () => {
        const other = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
        const report = await doctor(healthyAccount(analysis), false, { SNOWFLAKE_PRIVATE_KEY: other });
        expect(report.connected).to.equal(false);
        expect(exitCode(report)).to.equal(2);
        expect(report.findings[0].title).to.match(/^could not connect to ACME-ANALYTICS_DEV as WALLMONITOR_DEPLOY$/);
        expect(renderJson(report)).to.not.include("PRIVATE KEY");
        expect(renderText(report)).to.not.include(other.split("\n")[1]);
    });

    it("exits 2 without credentials, naming where to set them", async () => {
        const report = await runDoctor({ stack: STACK, beforeDeploy: true, env: {} });
        expect(exitCode(report)).to.equal(2);
        expect(report.findings[0].evidence).to.match(/key-pair authentication needs a private key\. Set snowflake:privateKey .* or SNOWFLAKE_PRIVATE_KEY/);
    });

    it("--json carries every finding and the exit code", async () => {
        const report = await doctor(healthyAccount(analysis));
        const parsed = JSON.parse(renderJson(report)) as Report & { exitCode: number };
        expect(parsed.exitCode).to.equal(0);
        expect(parsed.findings.length).to.equal(report.findings.length);
        expect(parsed.findings.every((finding) => ["pass", "warn", "fail", "not-checked"].includes(finding.status))).to.equal(true);
    });
});

describe("the doctor's command line", () => {
    it("takes --stack, --json and --before-deploy, and nothing else", () => {
        expect(parseArgs(["--stack", "dev", "--json", "--before-deploy"])).to.deep.equal({ stack: "dev", json: true, beforeDeploy: true });
        expect(parseArgs(["--stack", "prod"])).to.deep.equal({ stack: "prod", json: false, beforeDeploy: false });
        expect(() => parseArgs(["--json"])).to.throw("--stack is required");
        expect(() => parseArgs(["--stack"])).to.throw("--stack needs a value");
        expect(() => parseArgs(["--stack", "dev", "--fix"])).to.throw("unknown argument --fix");
    });
});

describe("the doctor's read-only gate", () => {
    it("lets through SHOW, DESCRIBE, SELECT, EXPLAIN (of anything) and USE SECONDARY ROLES NONE", () => {
        for (const text of ["SHOW GRANTS TO ROLE X", "-- why\nDESCRIBE TABLE A.B.C", "desc procedure A.B.P(VARCHAR)", "SELECT 1 FROM T LIMIT 0;",
            "EXPLAIN USING TABULAR INSERT INTO A.B.C SELECT 1", "use secondary roles none", "SELECT 'a;b' AS X -- it's fine",
            "SELECT SNOWFLAKE.NOTIFICATION.SANITIZE_WEBHOOK_CONTENT('SNOWFLAKE_WEBHOOK_SECRET')"]) {
            expect(notReadOnly(text), text).to.equal(undefined);
        }
    });

    it("refuses anything that can change the account, however it is dressed", () => {
        const refused: [string, RegExp][] = [
            ["CREATE TABLE A.B.C (X INT)", /starts with CREATE/],
            ["GRANT USAGE ON DATABASE D TO ROLE R", /starts with GRANT/],
            ["ALTER TASK A.B.T RESUME", /starts with ALTER/],
            ["CALL A.B.P()", /starts with CALL/],
            ["INSERT INTO A.B.C SELECT 1", /starts with INSERT/],
            ["USE ROLE ACCOUNTADMIN", /starts with USE/],
            ["USE SECONDARY ROLES ALL", /starts with USE/],
            ["SELECT 1; DROP TABLE A.B.C", /more than one statement/],
            ["-- SELECT\nDROP TABLE A.B.C", /starts with DROP/],
            ["/* SELECT */ DELETE FROM A.B.C", /starts with DELETE/],
            ["SELECT SYSTEM$SEND_EMAIL('I', 'a@b.c', 's', 'b')", /SYSTEM\$ function/],
            ["SELECT A.B.SEQ.NEXTVAL", /NEXTVAL/],
            ["", /empty/],
        ];
        for (const [text, reason] of refused) {
            expect(notReadOnly(text), text).to.match(reason);
        }
    });
});

describe("the doctor's read-only session", () => {
    const recording = () => {
        const ran: { text: string; binds?: readonly string[] }[] = [];
        const session = new ReadOnlySession({
            run: async (statement, binds) => {
                ran.push({ text: statement.text, binds });
                return [];
            },
            tryRun: async () => ({ rows: [] }),
        });
        return { ran, session };
    };

    it("refuses a statement that is not read-only before it reaches Snowflake", async () => {
        const { ran, session } = recording();
        for (const text of ["GRANT ROLE X TO ROLE Y", "ALTER ACCOUNT SET ALLOW_BIND_VALUES_ACCESS = FALSE"]) {
            let refused: unknown;
            try {
                await session.query({ file: "doctor/test.sql", text });
            } catch (error) {
                refused = error;
            }
            expect(refused, text).to.be.instanceOf(ReadOnlyRefusal);
        }
        expect(ran).to.deep.equal([]);
    });

    it("sends binds only to EXPLAIN, and only NULLs", async () => {
        const { ran, session } = recording();
        await session.query({ file: "doctor/test.sql", text: "EXPLAIN USING TABULAR DELETE FROM A.B.C WHERE X < ?" }, 1);
        let refused: unknown;
        try {
            await session.query({ file: "doctor/test.sql", text: "SELECT * FROM A.B.C WHERE X < ?" }, 1);
        } catch (error) {
            refused = error;
        }
        expect(refused).to.be.instanceOf(ReadOnlyRefusal);
        expect(ran).to.deep.equal([{ text: "EXPLAIN USING TABULAR DELETE FROM A.B.C WHERE X < ?", binds: [null] }]);
    });
});

describe("the doctor's live-shape checks", () => {
    it("rely only on attributes ingestion reads", () => {
        const fs = require("fs") as typeof import("fs");
        const path = require("path") as typeof import("path");
        const ingestion = fs.readdirSync(path.join(__dirname, "..", "sql", "ingestion"))
            .map((file) => fs.readFileSync(path.join(__dirname, "..", "sql", "ingestion", file), "utf8")).join("\n");
        for (const { key } of [...RELIED_ON, { key: EVALUATION_KEY }]) {
            expect(ingestion, key).to.include(`"${key}"`);
        }
    });

    it("read span names, the agent object type and the evaluation span types from ingestion's own SQL", () => {
        const { exact, prefixes } = recognisedSpanNames();
        expect([...exact]).to.include.members(["AgentV2RequestResponseInfo", "Agent", "Guardrails", "CORTEX_AGENT_FEEDBACK"]);
        expect(prefixes).to.include.members(["ReasoningAgentStep", "SqlExecution", "ToolCall-", "CortexSearchService"]);
        expect(recognisedObjectType()).to.equal("CORTEX AGENT");
        expect([...evaluationSpanTypes()].sort()).to.deep.equal(["cortex_agent_ground_truth", "eval", "eval_root", "record_root"]);
    });

    it("say how to pass a credential the stack file holds encrypted", () => {
        const raw = { ...plainStackConfig(STACK), "snowflake:privateKey": JSON.stringify({ secure: "v1:abc" }) };
        expect(() => settingsFrom(raw, STACK, {})).to.throw("snowflake:privateKey is encrypted in Pulumi.dev.yaml, which only the Pulumi CLI reads: " +
            "run the doctor with SNOWFLAKE_PRIVATE_KEY=\"$(pulumi config get snowflake:privateKey)\" npm run doctor -- --stack dev");
        expect(settingsFrom(raw, STACK, { SNOWFLAKE_PRIVATE_KEY: "KEY" }).privateKey).to.equal("KEY");
    });

    it("read the stack's config as the program does", () => {
        const config = stackConfig(plainStackConfig(STACK));
        expect(config.ownerRole).to.equal(OWNER);
    });
});

describe("the doctor's realtime plan check: the window's CTE computed once, the window bound pruning", function () {
    this.timeout(30_000);
    const VIEW = `${SCHEMA}.AGENT_METRICS`;
    const owns = { privilege: "OWNERSHIP", grantedOn: "VIEW", name: VIEW };
    const config = stackConfig(plainStackConfig(STACK));
    const pair = crypto.generateKeyPairSync("rsa", { modulusLength: 2048,
        publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } });
    let fake: FakeSnowflake;

    beforeEach(async () => {
        fake = await FakeSnowflake.start();
        fake.addUser("WALLMONITOR_DEPLOY", { publicKey: pair.publicKey });
    });

    afterEach(async () => {
        await fake.stop();
    });

    /** The check's findings on an account whose EXPLAIN of the view answers `rows`, as the owner holding `ownerGrants`. */
    async function check(rows: readonly ExplainRow[], ownerGrants = [owns]): Promise<Finding[]> {
        scriptRealtimePlan(fake, { grants: { [OWNER]: ownerGrants }, realtimePlan: { view: VIEW, rows }, warehouse: { name: config.warehouse, computeRole: OWNER } });
        const settings = settingsFrom(plainStackConfig(STACK), STACK, { [ACCESS_URL_ENV]: fake.url, SNOWFLAKE_PRIVATE_KEY: pair.privateKey });
        return withSession(settings, { role: OWNER, warehouse: config.warehouse },
            { attempts: 1, firstRetryDelayMs: 10, requestTimeoutMs: 10_000, statementTimeoutMs: 10_000 },
            (session) => realtimePlan({ config }, new ReadOnlySession(session)));
    }

    const summary = (findings: Finding[]) => findings.map((finding) => `${finding.status}: ${finding.title}`);

    it("passes a plan with the CTE computed once (one WithClause, two WithReference, two scans of the history) whose scans are pruned", async () => {
        const findings = await check(realtimeReadPlan(HISTORY, { partitions: 480, pruned: { window: 16, strip: 16 } }));
        expect(summary(findings)).to.deep.equal([
            "pass: Snowflake computes the realtime window's CTE once: a read of AGENT_METRICS scans AGENT_EVENTS_HISTORY 2 times (the window, the strip before it)",
            `pass: Snowflake prunes AGENT_EVENTS_HISTORY by the window bound EVENT_TIMESTAMP >= DATEADD('hour', -${config.realtimeWindowHours}, SYSDATE()): ` +
                "no realtime read scans the whole history",
        ]);
        expect(findings[0].evidence).to.equal(`EXPLAIN USING TABULAR SELECT * FROM ${VIEW}: 2 TableScans of AGENT_EVENTS_HISTORY; ` +
            "1 WithClause and 2 WithReferences in the plan");
        expect(findings[1].evidence).to.match(/\(partitionsAssigned of partitionsTotal, upper bounds\): 16 of 480, 16 of 480$/);
        // The statement the doctor sent: EXPLAIN of a read of the view, as the owner, which reads nothing.
        expect(fake.statements.map((statement) => [statement.sql, statement.role])).to.deep.equal([[`EXPLAIN USING TABULAR SELECT * FROM ${VIEW}`, OWNER]]);
    });

    it("warns when Snowflake inlines the CTE (three scans of the history), naming what it saw", async () => {
        const findings = await check(realtimeReadPlan(HISTORY, { partitions: 480, pruned: { window: 16, strip: 16 }, inlined: true }));
        const inlined = findings.find((finding) => finding.status === "warn");
        expect(inlined?.title).to.equal("Snowflake inlines the CTE: the realtime read scans the window twice; correct, but costs what the previous shape cost");
        expect(inlined?.evidence).to.equal(`EXPLAIN USING TABULAR SELECT * FROM ${VIEW}: 3 TableScans of AGENT_EVENTS_HISTORY; ` +
            `no WithClause or WithReference in the plan (${EXPECTED_HISTORY_SCANS} expected: the window once, the strip before it once)`);
        expect(inlined?.fix).to.match(/sql\/evaluation\/window_history\.sql$/);
        // Pruning is judged on its own: all three scans keep fewer than the table's micro-partitions.
        expect(findings.filter((finding) => finding.status === "pass").map((finding) => finding.title)).to.have.length(1);
    });

    it("warns when the window bound prunes nothing on a multi-partition history, and cannot tell on a single micro-partition", async () => {
        const unpruned = await check(realtimeReadPlan(HISTORY, { partitions: 480 }));
        expect(summary(unpruned)[1]).to.equal("warn: the window bound does not prune: every realtime read scans the whole history");
        expect(unpruned[1].evidence).to.match(/: 480 of 480, 480 of 480; the window bound .* left every micro-partition assigned$/);
        expect(unpruned[1].fix).to.include(`each realtime read scans all historyDays = ${config.historyDays} days: pulumi config set wallmonitor:historyDays`);
        fake.reset();
        const single = await check(realtimeReadPlan(HISTORY, { partitions: 1 }));
        expect(single[1].status).to.equal("not-checked");
        expect(single[1].title).to.match(/prunes AGENT_EVENTS_HISTORY: too small to tell \(one micro-partition\)$/);
    });

    it("tells a young history, wholly within the window, from micro-partitions that mix old and new rows", async () => {
        // The strip before the window keeps none: nothing older than the window yet.
        const young = await check(realtimeReadPlan(HISTORY, { partitions: 6, pruned: { window: 6, strip: 0 } }));
        expect(young[1].status).to.equal("pass");
        expect(young[1].title).to.match(/the whole history lies within the window yet, so the window's scan keeps all of it$/);
        fake.reset();
        const mixed = await check(realtimeReadPlan(HISTORY, { partitions: 480, pruned: { window: 480, strip: 16 } }));
        expect(summary(mixed)[1]).to.equal("warn: a realtime read's window scan keeps every micro-partition of AGENT_EVENTS_HISTORY though older rows exist");
    });

    it("is not checked, with the fix, when the role cannot read the view (Snowflake refuses the EXPLAIN)", async () => {
        const findings = await check(realtimeReadPlan(HISTORY, { partitions: 480, pruned: { window: 16, strip: 16 } }), []);
        expect(findings).to.deep.equal([{ area: "deployed", status: "not-checked",
            title: "how Snowflake plans a realtime read (AGENT_METRICS) could not be checked",
            evidence: `SQL compilation error:\nObject '${VIEW}' does not exist or not authorized.`,
            fix: `pulumi up: role ${OWNER} owns ${VIEW}, and EXPLAIN of a read needs SELECT on it` }]);
        // SELECT alone is enough, as for a read.
        fake.reset();
        const reader = await check(realtimeReadPlan(HISTORY, { partitions: 480, pruned: { window: 16, strip: 16 } }), [{ ...owns, privilege: "SELECT" }]);
        expect(reader.map((finding) => finding.status)).to.deep.equal(["pass", "pass"]);
    });

    it("a plan with no scan of the history is not checked, listing the operations seen", async () => {
        const findings = await check(realtimeReadPlan(`${SCHEMA}.SOMETHING_ELSE`, { partitions: 480 }));
        expect(findings.map((finding) => finding.status)).to.deep.equal(["not-checked"]);
        expect(findings[0].evidence).to.match(/0 TableScans of AGENT_EVENTS_HISTORY; 1 WithClause and 2 WithReferences in the plan; operations: GlobalStats, Result, /);
    });
});
