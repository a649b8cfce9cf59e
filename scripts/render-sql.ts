/**
 * Writes every statement of a stack, rendered from sql/ exactly as Pulumi deploys it, as JSON:
 * the emulator tests execute this text (test/sql/conftest.py runs this script).
 * Usage: `npm run render-sql -- <stack> [out.json] [key=value ...]`, where key=value pairs
 * override the stack's wallmonitor: config (the tests render variants this way).
 */
import * as fs from "fs";

import { ALERT_PROCEDURE, ALERT_TASK, alertingEmbedding } from "../lib/sql/alertCatalog";
import { buildSqlCatalog, PROCEDURE_NAMES, TASK_NAMES } from "../lib/sql/catalog";
import { parseConfig } from "../lib/config/stack";
import { readStackConfig } from "../plan/offline";
import { ORG_IDENTITY_KEY, ownSourceAccount } from "../lib/config/org";
import { identityKeySql, ORG_IDENTITY_KEY_VIEW } from "../lib/sql/orgCatalog";
import { ingestionEmbedding } from "../lib/sql/procedures";
import { dashboardViewNames, viewerReads } from "../lib/sql/registry";
import { createTableStatement, listSqlFiles } from "../lib/sql/render";
import { TABLES } from "../lib/sql/tables";
import { aiObservabilityAccessInputs, aiObservabilityAccessStatements } from "../provider/aiObservabilityAccess";

function main(): void {
    const stack = process.argv[2] ?? "dev";
    const overrides = Object.fromEntries(process.argv.slice(4).map((pair) => {
        const at = pair.indexOf("=");
        return [`wallmonitor:${pair.slice(0, at)}`, pair.slice(at + 1)];
    }));
    const raw = { ...readStackConfig(stack), ...overrides };
    const config = parseConfig({ get: (key) => raw[`wallmonitor:${key}`] });
    // Organisation-wide SQL: a member's shared views, or the central account's unified views.
    const source = ownSourceAccount(config.accountRole,
        { organizationName: raw["snowflake:organizationName"], accountName: raw["snowflake:accountName"] },
        (key, message) => new Error(`${key}: ${message}`));
    const catalog = buildSqlCatalog(config, { sourceAccount: source });
    const org = source === undefined ? undefined : {
        sourceAccount: source,
        memberShare: catalog.org.memberShare,
        // The key view the shared views read; the tests pass the key as orgIdentityKey=<key>.
        identityKeyView: config.accountRole === "member"
            ? { name: ORG_IDENTITY_KEY_VIEW, ...identityKeySql(raw[`wallmonitor:${ORG_IDENTITY_KEY}`]) } : undefined,
        central: catalog.org.central,
    };
    const document = {
        stack,
        config,
        names: { procedures: PROCEDURE_NAMES, tasks: TASK_NAMES },
        tables: Object.fromEntries(TABLES.map((table) => [table.name, createTableStatement(config.database, config.schema, table)])),
        views: catalog.views,
        dynamicTables: catalog.dynamicTables,
        procedureStatements: catalog.procedureStatements,
        // What the ingestion procedures embed; the tests hand their handlers exactly this.
        ingestionEmbedding: ingestionEmbedding(catalog.procedureStatements),
        tasks: catalog.tasks,
        costViews: catalog.cost,
        viewerCostViews: Object.keys(catalog.cost).filter((name) => viewerReads(catalog.registry.model(name))),
        // The registry's models as the privacy and column tests read them (test/sql/test_views.py).
        registry: {
            models: catalog.registry.models.map((model) => ({
                name: model.name, kind: model.kind, area: model.area, readers: model.readers, dashboard: model.dashboard,
                reads: model.reads, columns: model.columns.map((column) => ({ name: column.name, classification: column.classification })),
            })),
            dashboardViews: dashboardViewNames(catalog.registry),
        },
        providerStatements: aiObservabilityAccessStatements(aiObservabilityAccessInputs(config)),
        org,
        alerts: { ...catalog.alerts, embedding: alertingEmbedding(catalog.alerts), procedure: ALERT_PROCEDURE, taskName: ALERT_TASK },
        sqlFiles: listSqlFiles(),
    };
    const json = `${JSON.stringify(document, null, 2)}\n`;
    if (process.argv[3] === undefined || process.argv[3] === "-") {
        process.stdout.write(json);
    } else {
        fs.writeFileSync(process.argv[3], json);
    }
}

main();
