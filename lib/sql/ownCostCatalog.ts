import { estimateOwnCost, OwnCostEstimate, OwnCostInventory } from "../config/ownCostModel";
import { WallmonitorConfig } from "../config/stack";
import { ALERT_TASK } from "./alertCatalog";
import { TASK_NAMES } from "./names";
import { AGENT_EVENTS_HISTORY } from "./tables";
import { defaultRegistry, Model, Registry } from "./registry";
import { literal, SqlRows } from "./render";

/**
 * What Wallmonitor itself consumes: the objects that spend credits, from the registry and the
 * config, and the estimate of lib/config/ownCostModel.ts for them. The same estimate feeds the
 * offline plan (plan/ownCost.ts) and the WALLMONITOR_OWN_COST_ESTIMATE view
 * (sql/cost/own_cost_estimate.sql), which WALLMONITOR_OWN_COST puts beside the actual
 * consumption, so the two can never disagree about the model.
 */

/** The tasks and dynamic tables the stack deploys (alerting only where it is enabled). */
export function ownCostInventory(config: WallmonitorConfig, registry: Registry = defaultRegistry()): OwnCostInventory {
    return {
        refreshTask: TASK_NAMES.refresh,
        discoveryTask: TASK_NAMES.discover,
        rollupTask: TASK_NAMES.rollup,
        alertTask: config.alertingEnabled ? ALERT_TASK : undefined,
        dynamicTables: registry.models.filter((model) => model.kind === "dynamic_table")
            .map((model) => ({ name: model.name, refreshMode: model.refreshMode ?? "AUTO", readsHistory: readsHistory(registry, model) })),
    };
}

/** Whether a model reads the raw history table, directly or through the models it reads (every read is a declared model). */
function readsHistory(registry: Registry, model: Model): boolean {
    return model.reads.some((name) => name === AGENT_EVENTS_HISTORY.name || readsHistory(registry, registry.model(name)));
}

export function ownCostEstimate(config: WallmonitorConfig): OwnCostEstimate {
    return estimateOwnCost(config, ownCostInventory(config));
}

/**
 * The estimate as VALUES rows of WALLMONITOR_OWN_COST_ESTIMATE: COMPONENT, USAGE_VIEW,
 * OBJECT_DATABASE, OBJECT_SCHEMA, OBJECT_NAME, ESTIMATED_DAILY_RUNS, ESTIMATED_DAILY_CREDITS, BASIS.
 */
export function ownCostEstimateRows(config: WallmonitorConfig): SqlRows {
    return {
        rows: ownCostEstimate(config).lines.map((line) => [
            literal(line.component), literal(line.usageView),
            line.objectDatabase === undefined ? null : literal(line.objectDatabase),
            line.objectSchema === undefined ? null : literal(line.objectSchema),
            literal(line.objectName), line.runsPerDay, line.credits, literal(line.basis),
        ]),
    };
}
