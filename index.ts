import * as pulumi from "@pulumi/pulumi";

import { Wallmonitor } from "./components/wallmonitor";
import { loadAlertWebhookTargets, loadConfig, loadConnection, loadGitToken } from "./lib/config";

// Config is validated in full before any resource is declared.
const config = loadConfig();
const wallmonitor = new Wallmonitor(`wallmonitor-${pulumi.getStack()}`, {
    config,
    connection: loadConnection(),
    gitToken: loadGitToken(config),
    alertWebhookTargets: loadAlertWebhookTargets(config),
});

export const schema = `${config.database}.${config.schema}`;
export const ownerRole = config.ownerRole;
export const viewerRole = config.viewerRole;
export const warehouse = config.warehouse;
export const refreshTask = wallmonitor.ingestion.refreshTask.fullyQualifiedName;
export const dashboardViews = Object.keys(wallmonitor.dashboards.views).map((view) => `${schema}.${view}`);
/** What the owner role could read of the AI-observability events when this stack was deployed. */
export const aiObservability = {
    readerRoleGranted: wallmonitor.observability.readerRoleGranted,
    eventTableReadable: wallmonitor.observability.eventTableReadable,
    eventFunctionReadable: wallmonitor.observability.eventFunctionReadable,
    usageHistoryReadable: wallmonitor.observability.usageHistoryReadable,
    probedAt: wallmonitor.observability.probedAt,
    warnings: wallmonitor.observability.warnings,
};
/** The Streamlit dashboard: its name, what it was built from (Git ref, or the folder's file hashes) and Snowflake's URL id. */
export const dashboard = {
    app: wallmonitor.dashboardApp.appName,
    source: wallmonitor.dashboardApp.source,
    urlId: wallmonitor.dashboardApp.urlId,
};
/** Alerting: the evaluation task and the notification integrations, or null when wallmonitor:alertingEnabled is false. */
export const alerting = wallmonitor.alerting === undefined ? null : {
    task: wallmonitor.alerting.task.fullyQualifiedName,
    emailIntegration: wallmonitor.alerting.emailIntegration?.id ?? null,
    webhooks: Object.keys(wallmonitor.alerting.webhooks),
};
