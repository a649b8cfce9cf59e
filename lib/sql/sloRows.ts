import { sloObjectiveRows } from "../config/slo";
import { WallmonitorConfig } from "../config/stack";
import { literal, SqlRows, SqlValue } from "./render";
import { TRACE_MARGIN_DAYS } from "./traceMargin";

/**
 * The stack's service level objectives as VALUES rows (POSITION, AGENT_PATTERN, OBJECTIVE,
 * TARGET, WINDOW_DAYS, THRESHOLD_MS), rendered into the SLO views and the burn-rate rules: an
 * objective is fixed for a deployment. With none, one row of NULLs that sql/slo/objectives.sql
 * leaves out, so every statement still compiles and finds no objective.
 */
export function sloRows(config: Pick<WallmonitorConfig, "slos">): SqlRows {
    const rows = sloObjectiveRows(config.slos).map((row) => [
        row.position, literal(row.agentPattern), literal(row.objective), row.target, row.windowDays, row.thresholdMs,
    ]);
    return { rows: rows.length > 0 ? rows : [[null, null, null, null, null, null]] };
}

/** A stack value an alert rule may take, and whether the stack leaves it empty. */
export interface RuleStackValue {
    readonly value: (config: WallmonitorConfig) => SqlValue;
    /** True when the value holds nothing to evaluate for this stack: a rule taking it is off (lib/sql/alertCatalog.ts). */
    readonly empty: (config: WallmonitorConfig) => boolean;
}

/**
 * Stack values an alert rule record may take with `{stack: NAME}` (lib/sql/alertRules.ts): the
 * same value, under the same name, as lib/sql/values.ts gives the views.
 */
export const RULE_STACK_VALUES: Readonly<Record<string, RuleStackValue>> = {
    SLO_OBJECTIVE_ROWS: { value: sloRows, empty: (config) => sloObjectiveRows(config.slos).length === 0 },
    // The windowed rules read production history through evaluation/production_history_from.sql.
    TRACE_MARGIN_DAYS: { value: () => TRACE_MARGIN_DAYS, empty: () => false },
};
