import { table, TableDefinition } from "./tables";

/**
 * The alerting tables (issue 7), declared in sql/tables/models.yml: written only by
 * EVALUATE_ALERTS (procedures/alerting.py) and read by the viewer through the ALERT_HISTORY_VIEW
 * and ALERT_STATUS views.
 */
export const ALERT_STATE = table("ALERT_STATE");
export const ALERT_HISTORY = table("ALERT_HISTORY");

export const ALERT_TABLES: readonly TableDefinition[] = [ALERT_STATE, ALERT_HISTORY];
