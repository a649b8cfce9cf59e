/**
 * Writes every statement of a stack, rendered from sql/ exactly as Pulumi deploys it, as JSON:
 * the emulator tests execute this text (test/sql/conftest.py runs this script).
 * Usage: `npm run render-sql -- <stack> [out.json] [key=value ...]`, where key=value pairs
 * override the stack's wallmonitor: config (the tests render variants this way).
 */
import * as fs from "fs";

import { ALERT_PROCEDURE, ALERT_TASK, alertingEmbedding, buildAlertSql } from "../lib/sql/alertCatalog";
import { buildSqlCatalog, PROCEDURE_NAMES, TASK_NAMES } from "../lib/sql/catalog";
import { parseConfig } from "../lib/config/stack";
import { VIEWER_COST_VIEWS } from "../lib/sql/costCatalog";
import { readStackConfig } from "../plan/offline";
import { memberDatabaseName, ORG_IDENTITY_KEY, ownSourceAccount } from "../lib/config/org";
import { buildCentralSql, buildMemberShareSql, identityKeySql, ORG_IDENTITY_KEY_VIEW } from "../lib/sql/orgCatalog";
import { ingestionEmbedding } from "../lib/sql/procedures";
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
    const catalog = buildSqlCatalog(config);
    const alerts = buildAlertSql(config);
    // Organisation-wide SQL: a member's shared views, or the central account's unified views.
    const source = ownSourceAccount(config.accountRole,
        { organizationName: raw["snowflake:organizationName"], accountName: raw["snowflake:accountName"] },
        (key, message) => new Error(`${key}: ${message}`));
    const org = source === undefined ? undefined : {
        sourceAccount: source,
        memberShare: config.accountRole === "member" ? buildMemberShareSql(config, source) : undefined,
        // The key view the shared views read; the tests pass the key as orgIdentityKey=<key>.
        identityKeyView: config.accountRole === "member"
            ? { name: ORG_IDENTITY_KEY_VIEW, ...identityKeySql(raw[`wallmonitor:${ORG_IDENTITY_KEY}`]) } : undefined,
        central: config.accountRole === "central" ? buildCentralSql(config, source, (config.orgMembers ?? []).map((member) =>
            ({ name: member.name, database: memberDatabaseName(config.orgDatabasePrefix, member.name) }))) : undefined,
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
        viewerCostViews: VIEWER_COST_VIEWS,
        providerStatements: aiObservabilityAccessStatements(aiObservabilityAccessInputs(config)),
        org,
        alerts: { ...alerts, embedding: alertingEmbedding(alerts), procedure: ALERT_PROCEDURE, taskName: ALERT_TASK },
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
