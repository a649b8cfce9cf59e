import { DefaultingSource, Reader } from "./reader";

/**
 * The own-cost assumptions (the `ownCost*` keys): what the estimate of Wallmonitor's own daily
 * credits (lib/config/ownCostModel.ts) cannot read from the rest of the config, because it
 * depends on the account's traffic and on how people use the dashboard. They change no
 * behaviour; they only feed the offline plan's estimate and the WALLMONITOR_OWN_COST_ESTIMATE
 * view, which the Pipeline health page shows beside the actual consumption.
 * Defaults come from Pulumi.yaml, as for every other key (lib/config/defaults.ts).
 */
export interface OwnCostConfig {
    /** Cortex Agents the stack is expected to monitor. */
    readonly ownCostAgents: number;
    /** Observability events (spans, logs, feedback rows) one agent writes per day. */
    readonly ownCostEventsPerAgentPerDay: number;
    /** Times a day the dashboard is opened, each resuming its warehouse. */
    readonly ownCostDashboardSessionsPerDay: number;
    /** Minutes one dashboard session keeps the warehouse busy, before its auto-suspend idle time. */
    readonly ownCostDashboardSessionMinutes: number;
}

/** The own-cost assumptions, validated; `source` answers unset keys with Pulumi.yaml's defaults. */
export function parseOwnCostConfig(source: DefaultingSource): OwnCostConfig {
    const read = new Reader<keyof OwnCostConfig>(source);
    return {
        ownCostAgents: read.integer("ownCostAgents", 1, 100_000),
        ownCostEventsPerAgentPerDay: read.integer("ownCostEventsPerAgentPerDay", 0, 10_000_000),
        ownCostDashboardSessionsPerDay: read.integer("ownCostDashboardSessionsPerDay", 0, 1000),
        ownCostDashboardSessionMinutes: read.integer("ownCostDashboardSessionMinutes", 1, 480),
    };
}
