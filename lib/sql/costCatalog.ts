import { costModels } from "./catalog";
import { defaultRegistry, viewerReads } from "./registry";

/**
 * The cost and chargeback views (sql/cost/, declared in sql/cost/models.yml): from the event
 * history, SNOWFLAKE.ACCOUNT_USAGE.CORTEX_AGENT_USAGE_HISTORY and the CoWork usage view
 * (costCoworkUsageView) to a ledger of one row per request, and the per-day/month,
 * reconciliation and thread views over it. The lists below derive from the registry.
 */

/** The cost views in creation order: each reads only views before it. */
export const COST_VIEW_NAMES: readonly string[] = costModels(defaultRegistry()).map((model) => model.name);

/**
 * What the viewer role may read (readers: viewer): aggregates and the rate table. The
 * per-request views (and the usage view's rows behind them) stay with the owner role.
 */
export const VIEWER_COST_VIEWS: readonly string[] = COST_VIEW_NAMES.filter((name) => viewerReads(defaultRegistry().model(name)));

/** The value makers cost views take, re-exported where cost code has always found them. */
export { AGENT_USAGE_VIEW, coworkUsageSource, mappingRows, rateRows } from "./values";
