import { expect } from "chai";

import {
    estimateOwnCost, OwnCostInventory, SERVERLESS_TASK_COMPUTE_MULTIPLIER, WAREHOUSE_CREDITS_PER_HOUR,
} from "../lib/config/ownCostModel";
import { ConfigError, parseConfig, WallmonitorConfig } from "../lib/config/stack";
import { buildSqlCatalog } from "../lib/sql/catalog";
import { ownCostEstimate, ownCostInventory } from "../lib/sql/ownCostCatalog";
import { buildOffline, OfflineBuild } from "../plan/offline";
import { OWN_COST_TITLE } from "../plan/ownCost";
import { renderPlan } from "../plan/plan";

/**
 * Issue 19, item 4: what Wallmonitor itself costs, estimated before deploying. The figures below
 * are worked by hand from the model's documented rules, so a change to a rule or a constant
 * shows here.
 */

const INVENTORY: OwnCostInventory = {
    refreshTask: "REFRESH_TASK", discoveryTask: "DISCOVER_TASK", rollupTask: "ROLLUP_TASK", alertTask: undefined,
    dynamicTables: [{ name: "DT_INCREMENTAL", refreshMode: "INCREMENTAL", readsHistory: true },
        { name: "DT_FULL_A", refreshMode: "FULL", readsHistory: true }, { name: "DT_FULL_B", refreshMode: "FULL", readsHistory: true }],
};

function config(values: Record<string, string> = {}): WallmonitorConfig {
    const set: Record<string, string> = {
        refreshIntervalMinutes: "10", dynamicTableTargetLagMinutes: "30", realtimeWindowHours: "24", historyDays: "7",
        ingestPath: "event_table",
        warehouseSize: "XSMALL", warehouseAutoSuspendSeconds: "60", ownCostAgents: "10", ownCostEventsPerAgentPerDay: "1440",
        ownCostDashboardSessionsPerDay: "4", ownCostDashboardSessionMinutes: "10", ...values,
    };
    return parseConfig({ get: (key) => set[key] });
}

function line(estimate: ReturnType<typeof estimateOwnCost>, objectName: string) {
    const found = estimate.lines.find((candidate) => candidate.objectName === objectName);
    expect(found, objectName).to.not.equal(undefined);
    return found!;
}

describe("own-cost config (the ownCost* keys)", () => {
    it("defaults from Pulumi.yaml", () => {
        const defaults = parseConfig({ get: () => undefined });
        expect(defaults.fullRefreshTargetLagMinutes).to.equal(0);
        expect([defaults.ownCostAgents, defaults.ownCostEventsPerAgentPerDay, defaults.ownCostDashboardSessionsPerDay,
            defaults.ownCostDashboardSessionMinutes]).to.deep.equal([10, 2000, 4, 10]);
    });

    it("refuses a value out of range, naming the key", () => {
        for (const [key, value] of [["ownCostAgents", "0"], ["ownCostEventsPerAgentPerDay", "-1"], ["fullRefreshTargetLagMinutes", "-5"],
            ["ownCostDashboardSessionsPerDay", "1001"], ["ownCostDashboardSessionMinutes", "ten"]]) {
            expect(() => config({ [key]: value })).to.throw(ConfigError, `wallmonitor:${key}`);
        }
    });
});

describe("the own-cost estimate (lib/config/ownCostModel.ts)", () => {
    it("prices a serverless task from its schedule and the events each run handles", () => {
        const estimate = estimateOwnCost(config(), INVENTORY);
        // 144 runs/day; 14,400 events/day = 100 a run; 15 + 0.05 x 10 + 0.5 x 0.1 = 15.55 s.
        const refresh = line(estimate, "REFRESH_TASK");
        expect([refresh.runsPerDay, refresh.secondsPerRun, refresh.usageView]).to.deep.equal([144, 15.55, "SERVERLESS_TASK_HISTORY"]);
        expect(refresh.credits).to.be.closeTo(144 * 15.55 / 3600 * SERVERLESS_TASK_COMPUTE_MULTIPLIER, 1e-6);
        // Discovery and rollups run after every ingestion cycle.
        expect(line(estimate, "DISCOVER_TASK").runsPerDay).to.equal(144);
        expect(line(estimate, "ROLLUP_TASK").secondsPerRun).to.equal(10 + 0.05 * 10 + 0.2 * 0.1);
    });

    it("costs more per agent on the per-agent path, one function call per agent", () => {
        const perAgent = config({ ingestPath: "per_agent", agentLocations: '["SALES_DB"]' });
        expect(line(estimateOwnCost(perAgent, INVENTORY), "REFRESH_TASK").secondsPerRun).to.equal(15 + 1 * 10 + 0.5 * 0.1);
    });

    it("adds the alert task only where alerting is deployed, on its own schedule", () => {
        expect(estimateOwnCost(config(), INVENTORY).lines.map((candidate) => candidate.component)).not.to.include("alerting");
        const alerting = estimateOwnCost(config({ alertingEnabled: "true", alertScheduleMinutes: "5" }),
            { ...INVENTORY, alertTask: "ALERT_TASK" });
        expect(line(alerting, "ALERT_TASK").runsPerDay).to.equal(288);
    });

    it("bills dynamic-table refreshes as warehouse time, with the minimum and the idle time per resume", () => {
        const estimate = estimateOwnCost(config(), INVENTORY);
        for (const name of ["DT_INCREMENTAL", "DT_FULL_A", "DT_FULL_B"]) {
            expect(line(estimate, name).credits).to.equal(null);
            expect(line(estimate, name).runsPerDay).to.equal(48); // one refresh per 30-minute target lag
        }
        expect(line(estimate, "DT_INCREMENTAL").secondsPerRun).to.equal(2.02); // 2 s + 0.05 x 300 new events / 1000
        // A FULL refresh re-reads the whole history kept: 2 s + 0.05 x (7 days x 14,400 events) / 1000.
        expect(line(estimate, "DT_FULL_A").secondsPerRun).to.equal(7.04);
        // 48 waves x (60 s minimum + 60 s idle) + 4 sessions x (600 s + 60 s idle) = 8,400 s at 1 credit/h.
        const warehouse = line(estimate, config().warehouse);
        expect(warehouse.usageView).to.equal("WAREHOUSE_METERING_HISTORY");
        expect(warehouse.credits).to.be.closeTo(8400 / 3600, 1e-6);
        expect(warehouse.runsPerDay).to.equal(52);
        expect(estimate.totalCredits).to.be.closeTo(estimate.lines.reduce((sum, each) => sum + (each.credits ?? 0), 0), 1e-6);
    });

    it("sizes a FULL refresh by the history kept, not by the realtime window", () => {
        const longer = estimateOwnCost(config({ historyDays: "30", realtimeWindowHours: "1" }), INVENTORY);
        expect(line(longer, "DT_FULL_A").secondsPerRun).to.equal(23.6); // 2 s + 0.05 x (30 x 14,400) / 1000
        expect(line(longer, "DT_FULL_A").basis).to.include("FULL: the 30-day history");
        // The incremental one follows the new events, whatever the history kept.
        expect(line(longer, "DT_INCREMENTAL").secondsPerRun).to.equal(2.02);
        const longest = estimateOwnCost(config({ historyDays: "90" }), INVENTORY);
        // 2.015 + 2 x (2 + 0.05 x 1,296,000 / 1000) = 135.615 s per wave, + 60 s idle, 48 waves; 4 sessions x 660 s.
        expect(line(longest, config().warehouse).credits).to.be.closeTo((48 * (135.615 + 60) + 4 * 660) / 3600, 1e-6);
    });

    it("refreshes the FULL tables on fullRefreshTargetLagMinutes, in one of every so many of the warehouse's waves", () => {
        const estimate = estimateOwnCost(config({ fullRefreshTargetLagMinutes: "240" }), INVENTORY);
        expect(line(estimate, "DT_FULL_A").runsPerDay).to.equal(6); // every 4 h
        expect(line(estimate, "DT_FULL_A").basis).to.include("target lag 240 min");
        expect(line(estimate, "DT_INCREMENTAL").runsPerDay).to.equal(48); // still every 30 min
        // 42 waves with the incremental table alone (2.015 s: billed 60 s + 60 s idle) and 6 with all three
        // (2.015 + 2 x 7.04 = 16.095 s: still the 60 s minimum); 4 sessions x 660 s.
        expect(line(estimate, config().warehouse).credits).to.be.closeTo((48 * 120 + 4 * 660) / 3600, 1e-6);
        // At 90 days, a FULL refresh runs past the minimum, in 6 waves a day rather than 48.
        const longHistory = estimateOwnCost(config({ historyDays: "90", fullRefreshTargetLagMinutes: "240" }), INVENTORY);
        expect(line(longHistory, config().warehouse).credits).to.be.closeTo((42 * 120 + 6 * (135.615 + 60) + 4 * 660) / 3600, 1e-6);
        // 0 (the default) keeps them on dynamicTableTargetLagMinutes.
        expect(line(estimateOwnCost(config({ fullRefreshTargetLagMinutes: "0" }), INVENTORY), "DT_FULL_A").runsPerDay).to.equal(48);
    });

    it("refuses a FULL dynamic table over a base it cannot size, rather than guess", () => {
        const inventory = { ...INVENTORY, dynamicTables: [{ name: "DT_FULL_ROLLUP", refreshMode: "FULL", readsHistory: false }] };
        expect(() => estimateOwnCost(config(), inventory)).to.throw(/DT_FULL_ROLLUP refreshes FULL over a base other than the history/);
    });

    it("never bills a warehouse more than the day, and prices it by size", () => {
        const busy = config({ refreshIntervalMinutes: "1", dynamicTableTargetLagMinutes: "1", warehouseAutoSuspendSeconds: "600",
            warehouseSize: "MEDIUM" });
        expect(line(estimateOwnCost(busy, INVENTORY), busy.warehouse).credits).to.equal(24 * WAREHOUSE_CREDITS_PER_HOUR.MEDIUM);
    });

    it("refreshes no dynamic table while no event arrives; the dashboard sessions still resume the warehouse", () => {
        const idle = estimateOwnCost(config({ ownCostEventsPerAgentPerDay: "0" }), INVENTORY);
        expect(line(idle, "DT_FULL_A").runsPerDay).to.equal(0);
        expect(line(idle, config().warehouse).credits).to.be.closeTo(4 * 660 / 3600, 1e-6);
    });

    it("states every assumption it rests on, with the keys that change them", () => {
        const text = estimateOwnCost(config(), INVENTORY).assumptions.join("\n");
        for (const expected of ["ownCostAgents", "ownCostEventsPerAgentPerDay", "ownCostDashboardSessionsPerDay",
            "ownCostDashboardSessionMinutes", String(SERVERLESS_TASK_COMPUTE_MULTIPLIER), "unverified",
            "https://docs.snowflake.com/en/user-guide/dynamic-tables-cost",
            "https://docs.snowflake.com/en/user-guide/cost-understanding-compute"]) {
            expect(text).to.include(expected);
        }
    });
});

describe("the estimate the stack deploys and the plan prints", () => {
    let build: OfflineBuild;
    before(async () => {
        build = await buildOffline("dev");
    });

    it("inventories the stack's own tasks and dynamic tables from the registry", () => {
        const dev = parseConfig({ get: (key) => build.config?.[`wallmonitor:${key}`] });
        const inventory = ownCostInventory(dev);
        const catalog = buildSqlCatalog(dev);
        expect(inventory.dynamicTables.map((table) => table.name).sort()).to.deep.equal(Object.keys(catalog.dynamicTables).sort());
        // The *_RECENT tables read the history through AGENT_EVENTS_RECENT; the monthly latency reads the daily rollup.
        const readers = inventory.dynamicTables.filter((table) => table.readsHistory).map((table) => table.name).sort();
        expect(readers).to.deep.equal(["DT_AGENT_METRICS_RECENT", "DT_HOURLY_THREAD_ACTIVITY_RECENT", "DT_THREAD_ACTIVITY_RECENT"]);
        expect(inventory.alertTask).to.equal(dev.alertingEnabled ? "EVALUATE_ALERTS_TASK" : undefined);
    });

    it("renders the model's figures into WALLMONITOR_OWN_COST_ESTIMATE, the view the page compares with", () => {
        const dev = parseConfig({ get: (key) => build.config?.[`wallmonitor:${key}`] });
        const text = buildSqlCatalog(dev).cost.WALLMONITOR_OWN_COST_ESTIMATE.text;
        for (const each of ownCostEstimate(dev).lines) {
            expect(text).to.include(`'${each.objectName}', ${each.runsPerDay}, ${each.credits === null ? "NULL" : each.credits}, `);
        }
    });

    it("is a section of the summary and of the Markdown plan, every figure labelled an estimate", () => {
        for (const plan of [renderPlan(build), renderPlan(build, { full: true, markdown: true })]) {
            const start = plan.indexOf(`## ${OWN_COST_TITLE}`);
            expect(start).to.be.greaterThan(-1);
            const section = plan.slice(start, plan.indexOf("\n## ", start + 1) === -1 ? undefined : plan.indexOf("\n## ", start + 1));
            expect(section).to.include("| component | object | runs/day (estimate) | seconds/run (estimate) | credits/day (estimate) | how |");
            expect(section).to.match(/Estimated total: [\d.]+ credits a day/);
            expect(section).to.include("Assumptions:");
            expect(section).to.include("REFRESH_AGENT_EVENTS_TASK");
            expect(section).to.include("WALLMONITOR_DEV_WH");
        }
    });
});
