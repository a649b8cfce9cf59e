import * as pulumi from "@pulumi/pulumi";

import { Wallmonitor } from "./components/wallmonitor";
import { agentLocationName, ConfigError, loadAlertWebhookTargets, loadConfig, loadConnection, loadGitToken } from "./lib/config/stack";
import { ownSourceAccount } from "./lib/config/org";

// Config is validated in full before any resource is declared.
const config = loadConfig();
const connection = { ...loadConnection(), previewRole: config.previewRole };
const sourceAccount = ownSourceAccount(config.accountRole, connection, (key, message) => new ConfigError(key, message));
const wallmonitor = new Wallmonitor(`wallmonitor-${pulumi.getStack()}`, {
    config,
    connection,
    gitToken: loadGitToken(config),
    sourceAccount,
    alertWebhookTargets: loadAlertWebhookTargets(config),
});

export const schema = `${config.database}.${config.schema}`;
export const ownerRole = config.ownerRole;
export const viewerRole = config.viewerRole;
export const warehouse = config.warehouse;
/** wallmonitor:agentLocations as DATABASE or DATABASE.SCHEMA: where the owner role holds MONITOR on agents (the policy pack checks against it). */
export const agentLocations = (config.agentLocations ?? []).map(agentLocationName);
/** all, bootstrap or monitoring (wallmonitor:deployment): which part of Wallmonitor this stack holds. */
export const deployment = config.deployment;
export const refreshTask = wallmonitor.ingestion?.refreshTask.fullyQualifiedName;
export const dashboardViews = wallmonitor.dashboards === undefined ? undefined
    : Object.keys(wallmonitor.dashboards.views).map((view) => `${schema}.${view}`);
/** What the owner role could read of the AI-observability events when the bootstrap ran (on the stack that bootstraps). */
export const aiObservability = wallmonitor.observability === undefined ? undefined : {
    readerRoleGranted: wallmonitor.observability.readerRoleGranted,
    eventTableReadable: wallmonitor.observability.eventTableReadable,
    eventFunctionReadable: wallmonitor.observability.eventFunctionReadable,
    usageHistoryReadable: wallmonitor.observability.usageHistoryReadable,
    probedAt: wallmonitor.observability.probedAt,
    warnings: wallmonitor.observability.warnings,
};
/** The Streamlit dashboard: its name, what it was built from (Git ref, or the folder's file hashes) and Snowflake's URL id. */
export const dashboard = wallmonitor.dashboardApp === undefined ? undefined : {
    app: wallmonitor.dashboardApp.appName,
    source: wallmonitor.dashboardApp.source,
    urlId: wallmonitor.dashboardApp.urlId,
};
/** standalone, member or central (wallmonitor:accountRole). */
export const accountRole = config.accountRole;
/** A member's share, as the central stack reads it through a StackReference (components/central.ts). */
export const orgShare = wallmonitor.memberShare === undefined ? undefined : {
    organization: connection.organizationName,
    account: connection.accountName,
    share: wallmonitor.memberShare.share.name,
    region: config.orgRegion,
    grants: wallmonitor.memberShare.grantedObjects,
};
/** The central account's member databases (member -> database) and its organisation-wide views. */
export const org = wallmonitor.central === undefined ? undefined : {
    memberDatabases: wallmonitor.central.memberDatabaseNames,
    views: Object.keys(wallmonitor.central.views).map((view) => `${schema}.${view}`),
};
/** Alerting: the evaluation task and the notification integrations, or null when wallmonitor:alertingEnabled is false. */
export const alerting = wallmonitor.alerting === undefined ? null : {
    task: wallmonitor.alerting.task.fullyQualifiedName,
    emailIntegration: wallmonitor.alerting.emailIntegration?.id ?? null,
    webhooks: Object.keys(wallmonitor.alerting.webhooks),
};
