import {
    COST_USAGE_JOIN_KEYS, CostConfig, effectiveModelRates, JOIN_KEY_COLUMNS, teamMappingRows, UNASSIGNED_TEAM,
} from "../config/cost";
import { WallmonitorConfig } from "../config/stack";
import { ALERT_RULE_RECORDS } from "./alertRules";
import { alertRuleRows, alertRulesInForce } from "./alertCatalog";
import { TASK_NAMES } from "./names";
import { ownCostEstimateRows } from "./ownCostCatalog";
import { AI_OBSERVABILITY } from "../../provider/aiObservabilityAccess";
import { ident, literal, SqlRows, SqlValue } from "./render";
import { sloRows } from "./sloRows";
import { TRACE_MARGIN_DAYS } from "./traceMargin";

/**
 * The stack values a model's template takes (its `values:` in models.yml), by placeholder name.
 * Each name has one meaning everywhere: HISTORY_DAYS is always wallmonitor:historyDays. A model
 * names the values it takes; the registry refuses a name missing here, and one its template
 * does not use (lib/sql/registry.ts).
 */

/** Ratio of consecutive latency-histogram bucket bounds: percentiles from it are within sqrt(1.05) - 1 = 2.47 %. */
export const LATENCY_BUCKET_RATIO = 1.05;
/** The rollup definition (columns, bucket ratio): change it with them, and the days history still holds are recomputed. */
export const ROLLUP_VERSION = "3;latency-buckets-1.05;evaluation-excluded;hll-distinct";
/** How far before the last rollup run the next one looks for loaded rows (a late-committing insert is still seen). */
export const ROLLUP_OVERLAP_MINUTES = 60;
// How far from a row its trace's evaluation marks are looked for: lib/sql/traceMargin.ts has the bound, where it applies and its documentation.
export { TRACE_MARGIN_DAYS };

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
export function coworkUsageSource(config: CostConfig): { COWORK_USAGE_HISTORY: SqlValue; COWORK_USAGE_VIEW: SqlValue; READ_COWORK: boolean } {
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

type ValueOf = (config: WallmonitorConfig) => SqlValue;

export const STACK_VALUES = {
    // The deployed rule records with the stack's thresholds (ALERT_RULES).
    ALERT_RULE_ROWS: (config) => alertRuleRows(ALERT_RULE_RECORDS, alertRulesInForce(config, ALERT_RULE_RECORDS)),
    HISTORY_DAYS: (config) => config.historyDays,
    REALTIME_WINDOW_HOURS: (config) => config.realtimeWindowHours,
    REFRESH_INTERVAL_MINUTES: (config) => config.refreshIntervalMinutes,
    DYNAMIC_TABLE_TARGET_LAG_MINUTES: (config) => config.dynamicTableTargetLagMinutes,
    /** The refresh task's qualified name as text: the dashboard names it in its notices. */
    REFRESH_TASK: (config) => literal(ident(config.database, config.schema, TASK_NAMES.refresh).identifier),
    LATENCY_BUCKET_RATIO: () => LATENCY_BUCKET_RATIO,
    // Ingestion and rollups (sql/ingestion, sql/rollups).
    LOOKBACK_HOURS: (config) => config.initialLookbackHours,
    INGEST_OVERLAP_MINUTES: (config) => config.ingestOverlapMinutes,
    INGEST_PATH: (config) => literal(config.ingestPath),
    STORE_CONVERSATION_TEXT: (config) => config.storeConversationText,
    /** GET_AI_OBSERVABILITY_EVENTS redacts text unless the owner may read it unredacted (readUnredactedEvents). */
    SOURCE_TEXT_REDACTED: (config) => !config.readUnredactedEvents,
    INCLUDE_PATTERN: (config) => literal(config.agentIncludePattern),
    EXCLUDE_PATTERN: (config) => (config.agentExcludePattern === undefined ? null : literal(config.agentExcludePattern)),
    ROLLUP_RETENTION_DAYS: (config) => config.rollupRetentionDays,
    ROLLUP_VERSION: () => literal(ROLLUP_VERSION),
    /** The rollups' overlap (ROLLUP_OVERLAP_MINUTES); the ingestion's is INGEST_OVERLAP_MINUTES. */
    OVERLAP_MINUTES: () => ROLLUP_OVERLAP_MINUTES,
    TRACE_MARGIN_DAYS: () => TRACE_MARGIN_DAYS,
    // Cost (lib/config/cost.ts).
    RATES: (config) => rateRows(config),
    MAPPINGS: (config) => mappingRows(config),
    CREDIT_PRICE: (config) => Number(config.costCreditPrice),
    CURRENCY: (config) => literal(config.costCurrency),
    USE_TAGS: (config) => config.costUseTags,
    UNASSIGNED: () => literal(UNASSIGNED_TEAM),
    TEAM_TAG: (config) => literal(config.costTeamTag),
    JOIN_KEY: (config) => ident(JOIN_KEY_COLUMNS[config.costUsageJoinKey]),
    ALTERNATE_KEY: (config) => ident(JOIN_KEY_COLUMNS[COST_USAGE_JOIN_KEYS.find((key) => key !== config.costUsageJoinKey)!]),
    JOIN_KEY_NAME: (config) => literal(config.costUsageJoinKey),
    // Where actual cost comes from; the same name the access probe reads (docs snowflake-domain.md section 2).
    AGENT_USAGE_HISTORY: () => ident(...AI_OBSERVABILITY.usageHistory.split(".")),
    AGENT_USAGE_VIEW: () => literal(AGENT_USAGE_VIEW),
    COWORK_USAGE_HISTORY: (config) => coworkUsageSource(config).COWORK_USAGE_HISTORY,
    COWORK_USAGE_VIEW: (config) => coworkUsageSource(config).COWORK_USAGE_VIEW,
    READ_COWORK: (config) => coworkUsageSource(config).READ_COWORK,
    // What Wallmonitor itself costs, estimated per object (lib/sql/ownCostCatalog.ts).
    OWN_COST_ESTIMATE: (config) => ownCostEstimateRows(config),
    // Service level objectives (lib/config/slo.ts), also taken by the burn-rate rules.
    SLO_OBJECTIVE_ROWS: (config) => sloRows(config),
} satisfies Record<string, ValueOf>;

export type StackValueName = keyof typeof STACK_VALUES;

export function isStackValueName(name: string): name is StackValueName {
    return Object.prototype.hasOwnProperty.call(STACK_VALUES, name);
}
