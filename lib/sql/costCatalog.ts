import {
    CostConfig, effectiveModelRates, JOIN_KEY_COLUMNS, COST_USAGE_JOIN_KEYS, teamMappingRows, UNASSIGNED_TEAM,
} from "../config/cost";
import { AI_OBSERVABILITY } from "../../provider/aiObservabilityAccess";
import { Identifier, ident, literal, renderSql, RenderedSql, SqlRows, SqlValue } from "./render";

/**
 * The cost and chargeback views (sql/cost/), rendered for one stack: from the event history,
 * SNOWFLAKE.ACCOUNT_USAGE.CORTEX_AGENT_USAGE_HISTORY and the CoWork usage view
 * (costCoworkUsageView) to a ledger of one row per request, and the
 * per-day/month, reconciliation and thread views over it. Listed in creation order: each reads
 * only views before it.
 */
export const COST_VIEW_NAMES = [
    "COST_MODEL_RATES",
    "COST_TEAM_MAPPINGS",
    "COST_USAGE",
    "COST_REQUEST_MODELS",
    "COST_REQUESTS",
    "COST_LEDGER",
    "COST_LEDGER_BY_MODEL",
    "COST_DAILY",
    "COST_MONTHLY",
    "COST_RECONCILIATION",
    "COST_TOP_THREADS",
    "COST_ROLLUP_ESTIMATE",
] as const;
export type CostViewName = (typeof COST_VIEW_NAMES)[number];

/**
 * What the viewer role may read: aggregates and the rate table. The per-request views (and the
 * usage view's rows behind them) stay with the owner role.
 */
export const VIEWER_COST_VIEWS: readonly CostViewName[] = [
    "COST_MODEL_RATES", "COST_DAILY", "COST_MONTHLY", "COST_RECONCILIATION", "COST_TOP_THREADS", "COST_ROLLUP_ESTIMATE",
];

/** The views each cost view reads, for the order in which they are declared. */
export const COST_VIEW_READS: Readonly<Record<CostViewName, readonly CostViewName[]>> = {
    COST_MODEL_RATES: [],
    COST_TEAM_MAPPINGS: [],
    COST_USAGE: [],
    COST_REQUEST_MODELS: ["COST_MODEL_RATES"],
    COST_REQUESTS: ["COST_REQUEST_MODELS"],
    COST_LEDGER: ["COST_REQUESTS", "COST_USAGE", "COST_TEAM_MAPPINGS"],
    COST_LEDGER_BY_MODEL: ["COST_LEDGER", "COST_REQUEST_MODELS"],
    COST_DAILY: ["COST_LEDGER_BY_MODEL"],
    COST_MONTHLY: ["COST_LEDGER_BY_MODEL"],
    COST_RECONCILIATION: ["COST_LEDGER"],
    COST_TOP_THREADS: ["COST_LEDGER"],
    COST_ROLLUP_ESTIMATE: ["COST_MODEL_RATES"],
};

/** The rate table as VALUES rows: model, input, output, cache read, cache write, source. */
export function rateRows(config: CostConfig): SqlRows {
    return {
        rows: effectiveModelRates(config).map(([model, rate, source]) =>
            [literal(model), rate.input, rate.output, rate.cacheRead, rate.cacheWrite, literal(source)]),
    };
}

/** The team mappings as VALUES rows (KIND, NAME, TEAM); one row of NULLs when there are none. */
export function mappingRows(config: CostConfig): SqlRows {
    const rows = teamMappingRows(config).map((row) => row.map(literal));
    return { rows: rows.length > 0 ? rows : [[null, null, null]] };
}

/** The agent usage view's own name, the USAGE_VIEW label of the credits it reports. */
export const AGENT_USAGE_VIEW = AI_OBSERVABILITY.usageHistory.split(".").pop()!;

/**
 * The CoWork branch of COST_USAGE. With NONE it reads the agent view under a false condition, so
 * the view compiles on an account that has no CoWork view and that branch yields no row.
 */
export function coworkUsageSource(config: CostConfig): Record<string, SqlValue> {
    const reads = config.costCoworkUsageView !== "NONE";
    const accountUsage = AI_OBSERVABILITY.usageHistory.split(".").slice(0, -1);
    return {
        COWORK_USAGE_HISTORY: reads
            ? ident(...accountUsage, config.costCoworkUsageView)
            : ident(...AI_OBSERVABILITY.usageHistory.split(".")),
        COWORK_USAGE_VIEW: literal(config.costCoworkUsageView),
        READ_COWORK: reads,
    };
}

/**
 * `historyTable` is AGENT_EVENTS_HISTORY and `modelRollup` MODEL_DAILY_ROLLUP, both qualified;
 * `qualified` names a view of the stack's schema.
 */
export function buildCostSql(config: CostConfig, historyTable: Identifier, modelRollup: Identifier,
                             qualified: (name: string) => Identifier): Record<CostViewName, RenderedSql> {
    const cost = (file: string, values: Record<string, SqlValue>) => renderSql(`cost/${file}.sql`, values);
    const view = (name: CostViewName) => qualified(name);
    const alternate = COST_USAGE_JOIN_KEYS.find((key) => key !== config.costUsageJoinKey)!;
    const money = { CREDIT_PRICE: Number(config.costCreditPrice), CURRENCY: literal(config.costCurrency) };
    const period = (grain: string, column: string) => cost("period", {
        GRAIN: literal(grain),
        PERIOD_COLUMN: ident(column),
        LEDGER_BY_MODEL: view("COST_LEDGER_BY_MODEL"),
    });
    return {
        COST_MODEL_RATES: cost("model_rates", { RATES: rateRows(config) }),
        COST_TEAM_MAPPINGS: cost("team_mappings", { MAPPINGS: mappingRows(config) }),
        COST_USAGE: cost("usage", {
            // Where actual cost comes from; the same name the access probe reads (docs snowflake-domain.md section 2).
            AGENT_USAGE_HISTORY: ident(...AI_OBSERVABILITY.usageHistory.split(".")),
            AGENT_USAGE_VIEW: literal(AGENT_USAGE_VIEW),
            ...coworkUsageSource(config),
            TEAM_TAG: literal(config.costTeamTag),
        }),
        COST_REQUEST_MODELS: cost("request_models", { HISTORY_TABLE: historyTable, MODEL_RATES: view("COST_MODEL_RATES") }),
        COST_REQUESTS: cost("requests", {
            HISTORY_TABLE: historyTable,
            REQUEST_MODELS: view("COST_REQUEST_MODELS"),
            JOIN_KEY: ident(JOIN_KEY_COLUMNS[config.costUsageJoinKey]),
            ALTERNATE_KEY: ident(JOIN_KEY_COLUMNS[alternate]),
        }),
        COST_LEDGER: cost("ledger", {
            REQUESTS: view("COST_REQUESTS"),
            USAGE: view("COST_USAGE"),
            TEAM_MAPPINGS: view("COST_TEAM_MAPPINGS"),
            USE_TAGS: config.costUseTags,
            UNASSIGNED: literal(UNASSIGNED_TEAM),
            ...money,
        }),
        COST_LEDGER_BY_MODEL: cost("ledger_by_model", {
            LEDGER: view("COST_LEDGER"),
            REQUEST_MODELS: view("COST_REQUEST_MODELS"),
            CREDIT_PRICE: money.CREDIT_PRICE,
        }),
        COST_DAILY: period("day", "DAY"),
        COST_MONTHLY: period("month", "MONTH"),
        COST_RECONCILIATION: cost("reconciliation", {
            LEDGER: view("COST_LEDGER"),
            AGENT_USAGE_VIEW: literal(AGENT_USAGE_VIEW),
            JOIN_KEY_NAME: literal(config.costUsageJoinKey),
        }),
        COST_TOP_THREADS: cost("top_threads", { LEDGER: view("COST_LEDGER") }),
        COST_ROLLUP_ESTIMATE: cost("rollup_estimate", {
            MODEL_RATES: view("COST_MODEL_RATES"),
            MODEL_ROLLUP: modelRollup,
            ...money,
        }),
    };
}
