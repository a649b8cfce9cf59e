/**
 * Writes every statement of a stack, rendered from sql/ exactly as Pulumi deploys it, as JSON:
 * the emulator tests execute this text (test/sql/conftest.py runs this script).
 * Usage: `npm run render-sql -- <stack> [out.json] [key=value ...]`, where key=value pairs
 * override the stack's wallmonitor: config (the tests render variants this way).
 */
import * as fs from "fs";

import { ALERT_PROCEDURE, ALERT_TASK, buildAlertSql } from "../lib/alertCatalog";
import { buildSqlCatalog, PROCEDURE_NAMES, TASK_NAMES } from "../lib/catalog";
import { parseConfig } from "../lib/config";
import { readStackConfig } from "../lib/offline";
import { createTableStatement, listSqlFiles } from "../lib/sql";
import { TABLES } from "../lib/tables";
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
    const document = {
        stack,
        config,
        names: { procedures: PROCEDURE_NAMES, tasks: TASK_NAMES },
        tables: Object.fromEntries(TABLES.map((table) => [table.name, createTableStatement(config.database, config.schema, table)])),
        views: catalog.views,
        dynamicTables: catalog.dynamicTables,
        procedureStatements: catalog.procedureStatements,
        tasks: catalog.tasks,
        providerStatements: aiObservabilityAccessStatements(aiObservabilityAccessInputs(config)),
        alerts: { ...buildAlertSql(config), procedure: ALERT_PROCEDURE, taskName: ALERT_TASK },
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
