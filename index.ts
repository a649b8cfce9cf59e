import * as pulumi from "@pulumi/pulumi";

import { Wallmonitor } from "./components/wallmonitor";
import { loadConfig, loadConnection } from "./lib/config";

// Config is validated in full before any resource is declared.
const config = loadConfig();
const wallmonitor = new Wallmonitor(`wallmonitor-${pulumi.getStack()}`, { config, connection: loadConnection() });

export const schema = `${config.database}.${config.schema}`;
export const ownerRole = config.ownerRole;
export const viewerRole = config.viewerRole;
export const warehouse = config.warehouse;
export const refreshTask = wallmonitor.ingestion.refreshTask.fullyQualifiedName;
export const dashboardViews = Object.keys(wallmonitor.dashboards.views).map((view) => `${schema}.${view}`);
