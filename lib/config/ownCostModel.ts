import { dynamicTableLagMinutes, WallmonitorConfig, WarehouseSize } from "./stack";

/**
 * The estimate of what Wallmonitor itself costs a day, in Snowflake credits, before anything is
 * deployed: the offline plan prints it, and the WALLMONITOR_OWN_COST_ESTIMATE view holds it so
 * the Pipeline health page can put it beside the consumption ACCOUNT_USAGE reports
 * (WALLMONITOR_OWN_COST). Every figure is an estimate; every number the model rests on is a
 * named constant below or a config key, and `assumptions` prints each of them.
 *
 * What Wallmonitor consumes, and how Snowflake bills it:
 * - Serverless tasks (ingestion, discovery, rollups, alert evaluation): compute billed per second
 *   of run time at the compute size Snowflake picks, times the serverless-task multiplier of the
 *   Service Consumption Table (https://www.snowflake.com/legal-files/CreditConsumptionTable.pdf;
 *   https://docs.snowflake.com/en/user-guide/tasks-intro#serverless-tasks). The discovery and
 *   rollup tasks run after every ingestion cycle (components/ingestion.ts), so as often as it.
 * - Dynamic tables: their refreshes run on the stack's warehouse, so they are billed as that
 *   warehouse's time; a refresh with no change in its base objects costs no warehouse time
 *   (https://docs.snowflake.com/en/user-guide/dynamic-tables-cost).
 * - The dashboard's warehouse (the same warehouse): credits per hour by size, billed per second
 *   with a 60-second minimum each time it resumes, and it keeps running for its auto-suspend time
 *   after the last query (https://docs.snowflake.com/en/user-guide/cost-understanding-compute).
 * Cloud services are left out: they are billed only above 10 % of the day's warehouse credits
 * (https://docs.snowflake.com/en/user-guide/cost-exploring-compute).
 */

/** Credits per hour of a standard warehouse, by size (https://docs.snowflake.com/en/user-guide/cost-understanding-compute). */
export const WAREHOUSE_CREDITS_PER_HOUR: Readonly<Record<WarehouseSize, number>> = {
    XSMALL: 1, SMALL: 2, MEDIUM: 4, LARGE: 8, XLARGE: 16, XXLARGE: 32, XXXLARGE: 64, X4LARGE: 128, X5LARGE: 256, X6LARGE: 512,
};

/** A warehouse is billed at least 60 seconds each time it starts or resumes (same page). */
export const WAREHOUSE_MINIMUM_BILLED_SECONDS = 60;

/**
 * Credits per compute-hour of a serverless task, relative to a warehouse of the same size.
 * ASSUMPTION [open]: 0.9, the serverless-task compute multiplier as we read the Service
 * Consumption Table; the table is a PDF outside the documentation and changes with contracts.
 * Settled live by comparing SERVERLESS_TASK_HISTORY credits with TASK_HISTORY run times (the
 * report and privileges/model.json openChecks give the statement). Change it here, in one place.
 */
export const SERVERLESS_TASK_COMPUTE_MULTIPLIER = 0.9;

/** Seconds one run takes at XSMALL: a fixed part, a part per agent, and a part per thousand events it handles. */
export interface RunCost {
    readonly fixedSeconds: number;
    readonly secondsPerAgent: number;
    readonly secondsPerThousandEvents: number;
}

/**
 * ASSUMPTIONS: seconds per run of each task at XSMALL. The fixed part is the Python procedure's
 * start and its bookkeeping statements; the per-agent part the per-agent reads and registry
 * writes (GET_AI_OBSERVABILITY_EVENTS is one call per agent on the per_agent path); the
 * per-event part the parse, insert and rollup of new events. These are not measured on Snowflake
 * (the emulator's seconds are not Snowflake's): compare them with WALLMONITOR_OWN_COST after a
 * week and correct them here.
 */
export const TASK_RUN_COSTS = {
    refreshEventTable: { fixedSeconds: 15, secondsPerAgent: 0.05, secondsPerThousandEvents: 0.5 },
    refreshPerAgent: { fixedSeconds: 15, secondsPerAgent: 1, secondsPerThousandEvents: 0.5 },
    discovery: { fixedSeconds: 5, secondsPerAgent: 0.02, secondsPerThousandEvents: 0 },
    rollup: { fixedSeconds: 10, secondsPerAgent: 0.05, secondsPerThousandEvents: 0.2 },
    alerting: { fixedSeconds: 10, secondsPerAgent: 0.1, secondsPerThousandEvents: 0.05 },
} as const satisfies Record<string, RunCost>;

/**
 * ASSUMPTION: seconds one dynamic-table refresh takes at XSMALL: a fixed part plus a part per
 * thousand events it reads. A FULL refresh re-runs the whole query over its base
 * (https://docs.snowflake.com/en/user-guide/dynamic-tables/refresh-modes): for a table over the
 * history (the *_RECENT ones, over AGENT_EVENTS_RECENT), every event of the historyDays kept,
 * not the realtime window. An INCREMENTAL refresh recomputes the groups with changed rows
 * (https://docs.snowflake.com/en/user-guide/dynamic-tables-performance-incremental-operators),
 * counted here as the events loaded since its last refresh.
 */
export const DYNAMIC_TABLE_REFRESH_COST = { fixedSeconds: 2, secondsPerThousandEvents: 0.05 } as const;

/**
 * ASSUMPTION: a larger compute size runs the same work in proportionally less time, so the
 * credits of a run do not depend on the size (a size step doubles the rate and halves the time).
 * Only the per-resume minimum and the idle time are priced at the configured size.
 */
function speedUp(size: WarehouseSize): number {
    return WAREHOUSE_CREDITS_PER_HOUR[size] / WAREHOUSE_CREDITS_PER_HOUR.XSMALL;
}

/** Where Snowflake reports a line's actual consumption (SNOWFLAKE.ACCOUNT_USAGE). */
export type OwnCostUsageView = "SERVERLESS_TASK_HISTORY" | "WAREHOUSE_METERING_HISTORY" | "DYNAMIC_TABLE_REFRESH_HISTORY";

/** The objects the stack deploys that consume credits (lib/sql/ownCostCatalog.ts builds it from the registry). */
export interface OwnCostInventory {
    readonly refreshTask: string;
    readonly discoveryTask: string;
    readonly rollupTask: string;
    /** Undefined when alerting is not deployed. */
    readonly alertTask: string | undefined;
    readonly dynamicTables: readonly OwnCostDynamicTable[];
}

export interface OwnCostDynamicTable {
    readonly name: string;
    readonly refreshMode: string;
    /** Whether its query reads the raw history (AGENT_EVENTS_HISTORY), directly or through views. */
    readonly readsHistory: boolean;
}

export interface OwnCostLine {
    /** ingestion, discovery, rollup, alerting, dynamic_tables or warehouse. */
    readonly component: string;
    readonly usageView: OwnCostUsageView;
    /** The object's database and schema; undefined for the warehouse, an account object. */
    readonly objectDatabase: string | undefined;
    readonly objectSchema: string | undefined;
    readonly objectName: string;
    /** Runs, refreshes or warehouse resumes a day. */
    readonly runsPerDay: number;
    /** Billed seconds per run (for the warehouse: per resume, idle time included). */
    readonly secondsPerRun: number;
    /** Estimated credits a day; null for a dynamic table, whose refreshes are billed as warehouse time. */
    readonly credits: number | null;
    /** How the figure is made, in one line. */
    readonly basis: string;
}

export interface OwnCostEstimate {
    readonly lines: readonly OwnCostLine[];
    readonly totalCredits: number;
    /** Every assumption the figures rest on, for the reader. */
    readonly assumptions: readonly string[];
}

const SECONDS_PER_DAY = 86_400;

function round(value: number, digits: number): number {
    const factor = 10 ** digits;
    return Math.round(value * factor) / factor;
}

function runSeconds(cost: RunCost, agents: number, events: number): number {
    return cost.fixedSeconds + cost.secondsPerAgent * agents + cost.secondsPerThousandEvents * (events / 1000);
}

/** The estimate for a stack's config and the objects it deploys. */
export function estimateOwnCost(config: WallmonitorConfig, inventory: OwnCostInventory): OwnCostEstimate {
    const agents = config.ownCostAgents;
    const eventsPerDay = agents * config.ownCostEventsPerAgentPerDay;
    const taskRate = WAREHOUSE_CREDITS_PER_HOUR.XSMALL * SERVERLESS_TASK_COMPUTE_MULTIPLIER;
    const lines: OwnCostLine[] = [];

    const task = (component: string, objectName: string, intervalMinutes: number, cost: RunCost, what: string) => {
        const runsPerDay = 1440 / intervalMinutes;
        const seconds = runSeconds(cost, agents, eventsPerDay / runsPerDay);
        lines.push({
            component, usageView: "SERVERLESS_TASK_HISTORY", objectDatabase: config.database, objectSchema: config.schema,
            objectName, runsPerDay, secondsPerRun: round(seconds, 2),
            credits: round(runsPerDay * seconds / 3600 * taskRate, 6),
            basis: `${round(runsPerDay, 2)} runs/day (${what}) x ${round(seconds, 1)} s at XSMALL-equivalent x ` +
                `${SERVERLESS_TASK_COMPUTE_MULTIPLIER} serverless multiplier`,
        });
    };
    const refreshCost = config.ingestPath === "per_agent" ? TASK_RUN_COSTS.refreshPerAgent : TASK_RUN_COSTS.refreshEventTable;
    const every = `every ${config.refreshIntervalMinutes} min`;
    task("ingestion", inventory.refreshTask, config.refreshIntervalMinutes, refreshCost, every);
    task("discovery", inventory.discoveryTask, config.refreshIntervalMinutes, TASK_RUN_COSTS.discovery, `after each ingestion, ${every}`);
    task("rollup", inventory.rollupTask, config.refreshIntervalMinutes, TASK_RUN_COSTS.rollup, `after each ingestion, ${every}`);
    if (inventory.alertTask !== undefined) {
        task("alerting", inventory.alertTask, config.alertScheduleMinutes, TASK_RUN_COSTS.alerting,
            `every ${config.alertScheduleMinutes} min`);
    }

    // A dynamic table refreshes at most once per target lag, and uses the warehouse only when its
    // base changed, which the ingestion does at most once per cycle and only with new events.
    const historyEvents = eventsPerDay * config.historyDays;
    const refreshes = inventory.dynamicTables.map((table) => {
        const incremental = table.refreshMode === "INCREMENTAL";
        if (!incremental && !table.readsHistory) {
            // No such table today; its base's size would need a rule of its own here.
            throw new Error(`own-cost model: ${table.name} refreshes ${table.refreshMode} over a base other than the history, ` +
                "whose size the model does not know; add a rule for it in lib/config/ownCostModel.ts");
        }
        const lag = dynamicTableLagMinutes(config, table.refreshMode);
        const minutes = Math.max(lag, config.refreshIntervalMinutes);
        const runsPerDay = eventsPerDay === 0 ? 0 : 1440 / minutes;
        const read = incremental ? (runsPerDay === 0 ? 0 : eventsPerDay / runsPerDay) : historyEvents;
        const seconds = DYNAMIC_TABLE_REFRESH_COST.fixedSeconds + DYNAMIC_TABLE_REFRESH_COST.secondsPerThousandEvents * read / 1000;
        lines.push({
            component: "dynamic_tables", usageView: "DYNAMIC_TABLE_REFRESH_HISTORY", objectDatabase: config.database,
            objectSchema: config.schema, objectName: table.name, runsPerDay: round(runsPerDay, 2), secondsPerRun: round(seconds, 2),
            credits: null,
            basis: `${round(runsPerDay, 2)} refreshes/day (target lag ${lag} min, base changes ` +
                `every ${config.refreshIntervalMinutes} min) x ${round(seconds, 1)} s (${incremental ? "INCREMENTAL: new events" :
                `${table.refreshMode}: the ${config.historyDays}-day history`}); billed as ${config.warehouse} time`,
        });
        return { minutes, runsPerDay, seconds };
    });

    const size = config.warehouseSize;
    const rate = WAREHOUSE_CREDITS_PER_HOUR[size];
    // Billed per resume: the time it runs (at least the minimum), then the idle time before it suspends.
    const billed = (runningSeconds: number) =>
        Math.max(WAREHOUSE_MINIMUM_BILLED_SECONDS, runningSeconds) + config.warehouseAutoSuspendSeconds;
    // The warehouse resumes once per wave of the most frequent refreshes. A table on a longer lag
    // (fullRefreshTargetLagMinutes) refreshes in one of every (its lag / the shortest) waves, together
    // with the others: the lags are taken as multiples of each other, so refreshes due together run
    // together. So a wave runs the tables whose period divides its time; counted per kind of wave.
    const periods = [...new Set(refreshes.filter((each) => each.runsPerDay > 0).map((each) => each.minutes))].sort((a, b) => a - b);
    const wavesPerDay = periods.length === 0 ? 0 : 1440 / periods[0];
    let refreshSeconds = 0;
    periods.forEach((minutes, index) => {
        // Waves where the tables of this period and every shorter one run, but no longer one.
        const waves = 1440 / minutes - (index + 1 < periods.length ? 1440 / periods[index + 1] : 0);
        const running = refreshes.filter((each) => each.minutes <= minutes).reduce((sum, each) => sum + each.seconds, 0);
        // Refresh work shrinks with the size (speedUp); a person's session lasts as long at any size.
        refreshSeconds += waves * billed(running / speedUp(size));
    });
    refreshSeconds = Math.min(SECONDS_PER_DAY, refreshSeconds);
    const sessions = config.ownCostDashboardSessionsPerDay;
    const sessionSeconds = sessions * billed(config.ownCostDashboardSessionMinutes * 60);
    const warehouseSeconds = Math.min(SECONDS_PER_DAY, refreshSeconds + sessionSeconds);
    const resumes = wavesPerDay + sessions;
    lines.push({
        component: "warehouse", usageView: "WAREHOUSE_METERING_HISTORY", objectDatabase: undefined, objectSchema: undefined,
        objectName: config.warehouse, runsPerDay: round(resumes, 2),
        secondsPerRun: resumes === 0 ? 0 : round(warehouseSeconds / resumes, 2),
        credits: round(warehouseSeconds / 3600 * rate, 6),
        basis: `${size} at ${rate} credits/h: ${round(wavesPerDay, 2)} dynamic-table refresh waves + ${sessions} dashboard ` +
            `sessions of ${config.ownCostDashboardSessionMinutes} min, each billed at least ${WAREHOUSE_MINIMUM_BILLED_SECONDS} s ` +
            `plus ${config.warehouseAutoSuspendSeconds} s idle before auto-suspend`,
    });

    const totalCredits = round(lines.reduce((sum, line) => sum + (line.credits ?? 0), 0), 6);
    const cost = (name: string, run: RunCost) => `${name} ${run.fixedSeconds} s + ${run.secondsPerAgent} s/agent + ` +
        `${run.secondsPerThousandEvents} s per 1,000 events`;
    const assumptions = [
        `${agents} agents writing ${config.ownCostEventsPerAgentPerDay} events each a day (wallmonitor:ownCostAgents, ` +
            "ownCostEventsPerAgentPerDay).",
        `${sessions} dashboard sessions a day of ${config.ownCostDashboardSessionMinutes} min (wallmonitor:ownCostDashboardSessionsPerDay, ` +
            "ownCostDashboardSessionMinutes), not overlapping each other or a refresh (so an upper bound).",
        `Seconds per task run at XSMALL (not measured on Snowflake; correct them from WALLMONITOR_OWN_COST): ` +
            `${cost("ingestion", refreshCost)}; ${cost("discovery", TASK_RUN_COSTS.discovery)}; ` +
            `${cost("rollup", TASK_RUN_COSTS.rollup)}; ${cost("alerting", TASK_RUN_COSTS.alerting)}.`,
        `Serverless tasks bill ${SERVERLESS_TASK_COMPUTE_MULTIPLIER} x the credits of a warehouse of the same size per second ` +
            "of run time, with no minimum (Service Consumption Table; the multiplier is unverified).",
        "A larger size does the same work proportionally faster, so a run's credits do not depend on the size; only the " +
            "60-second minimum and the idle time are priced at the configured size.",
        `Dynamic-table refresh: ${DYNAMIC_TABLE_REFRESH_COST.fixedSeconds} s + ${DYNAMIC_TABLE_REFRESH_COST.secondsPerThousandEvents} s ` +
            "per 1,000 events read at XSMALL; a FULL refresh reads every event of the history kept (historyDays), an " +
            "INCREMENTAL one the events loaded since the last; one refresh per target lag while events arrive; a refresh " +
            "with no change in its base costs no warehouse time (https://docs.snowflake.com/en/user-guide/dynamic-tables-cost).",
        `Warehouse ${config.warehouse} at ${size}, ${rate} credits/h, ${config.warehouseAutoSuspendSeconds} s auto-suspend` +
            (config.createWarehouse ? "." : "; it is an existing warehouse, so its own size and other workloads also count " +
                "in WAREHOUSE_METERING_HISTORY.") + " (https://docs.snowflake.com/en/user-guide/cost-understanding-compute)",
        "Cloud services credits are left out: billed only above 10 % of the day's warehouse credits " +
            "(https://docs.snowflake.com/en/user-guide/cost-exploring-compute). Storage is not credits and is left out.",
    ];
    return { lines, totalCredits, assumptions };
}
