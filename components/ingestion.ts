import * as pulumi from "@pulumi/pulumi";
import * as snowflake from "@pulumi/snowflake";

import { PROCEDURE_NAMES, SqlCatalog, TASK_NAMES } from "../lib/catalog";
import { WallmonitorConfig } from "../lib/config";
import { childName, childOptions } from "../lib/naming";
import { ingestionProcedureDefinition, pythonProcedureValues } from "../lib/procedures";
import { literal, SqlValue } from "../lib/sql";
import { Procedure, procedureInputs } from "../provider/procedure";

export interface IngestionArgs {
    readonly config: WallmonitorConfig;
    readonly sql: SqlCatalog;
    readonly ownerProvider: pulumi.ProviderResource;
    /** The tables the procedures read and write. */
    readonly dependsOn?: pulumi.Resource[];
}

/**
 * Ingestion: DISCOVER_AGENTS, REFRESH_AGENT_EVENTS and ROLLUP_AGENT_EVENTS (Python handlers in
 * procedures/, running sql/ingestion and sql/rollups statements), and the serverless tasks that
 * run them: the refresh on its schedule, discovery and the daily rollups chained after it.
 *
 * Both procedures EXECUTE AS OWNER: the owner role holds the AI-observability privileges and
 * owns the tables, so whoever calls them (the task, or an operator by hand) gets exactly that
 * behaviour and no caller needs event-table access. The tasks are owned by the owner role
 * too, since a serverless task runs with its owner's privileges and EXECUTE MANAGED TASK.
 * (Owner's-rights procedures may run SHOW AGENTS since Snowflake's 10.3 release, Feb 2026.)
 */
export class Ingestion extends pulumi.ComponentResource {
    readonly refreshProcedure: Procedure;
    readonly discoverProcedure: Procedure;
    readonly refreshTask: snowflake.Task;
    readonly discoverTask: snowflake.Task;
    readonly rollupProcedure: Procedure;
    readonly rollupTask: snowflake.Task;

    constructor(name: string, args: IngestionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("wallmonitor:ingestion:Ingestion", name, {}, opts);
        const { config, sql } = args;
        const child = childOptions(this, args.ownerProvider, args.dependsOn);
        const body = ingestionProcedureDefinition(sql.procedureStatements);
        // Wallmonitor's own provider, as the owner role: updates are CREATE OR REPLACE, so the
        // tasks never find a procedure missing (provider/procedure.ts).
        const procedure = (procedureName: string, template: string, handler: string, comment: string,
                           values: Readonly<Record<string, SqlValue>>) =>
            new Procedure(childName(name, procedureName), procedureInputs({
                ownerRole: config.ownerRole,
                database: config.database,
                schema: config.schema,
                name: procedureName,
                template,
                values: { ...pythonProcedureValues(handler, comment), ...values },
                body,
            }), { parent: this, dependsOn: args.dependsOn });

        this.refreshProcedure = procedure(PROCEDURE_NAMES.refresh, "create_refresh_agent_events", "refresh_agent_events",
            "Loads new Cortex Agent events for every active agent and applies retention.", {
                LOOKBACK_HOURS: config.initialLookbackHours,
                HISTORY_DAYS: config.historyDays,
                INGEST_PATH: literal(config.ingestPath),
            });
        this.discoverProcedure = procedure(PROCEDURE_NAMES.discover, "create_discover_agents", "discover_agents",
            "Registers the Cortex Agents SHOW AGENTS reports that match the patterns.", {});
        this.rollupProcedure = procedure(PROCEDURE_NAMES.rollup, "create_rollup_agent_events", "rollup_agent_events",
            "Recomputes the daily rollups of the days new or late events touched, and expires old rollup days.", {
                HISTORY_DAYS: config.historyDays,
                ROLLUP_RETENTION_DAYS: config.rollupRetentionDays,
            });

        const taskSettings = {
            database: config.database,
            schema: config.schema,
            started: true,
            userTaskManagedInitialWarehouseSize: config.taskSize,
            suspendTaskAfterNumFailures: config.suspendTaskAfterFailures,
            allowOverlappingExecution: "false",
            comment: config.comment,
        };
        // Serverless: no warehouse, so Snowflake sizes the compute and bills only the run time.
        this.refreshTask = new snowflake.Task(childName(name, TASK_NAMES.refresh), {
            ...taskSettings,
            name: TASK_NAMES.refresh,
            schedule: { minutes: config.refreshIntervalMinutes },
            sqlStatement: sql.tasks.refresh.text,
        }, { ...child, dependsOn: [this.refreshProcedure] });
        // Chained after each refresh: an agent created now is registered, then read next cycle.
        this.discoverTask = new snowflake.Task(childName(name, TASK_NAMES.discover), {
            ...taskSettings,
            name: TASK_NAMES.discover,
            afters: [this.refreshTask.fullyQualifiedName],
            sqlStatement: sql.tasks.discover.text,
        }, { ...child, dependsOn: [this.discoverProcedure, this.refreshTask] });

        // Chained after each refresh too: recomputes only the days the refresh loaded events for.
        this.rollupTask = new snowflake.Task(childName(name, TASK_NAMES.rollup), {
            ...taskSettings,
            name: TASK_NAMES.rollup,
            afters: [this.refreshTask.fullyQualifiedName],
            sqlStatement: sql.tasks.rollup.text,
        }, { ...child, dependsOn: [this.rollupProcedure, this.refreshTask] });

        this.registerOutputs({
            refreshTask: this.refreshTask.fullyQualifiedName,
            discoverTask: this.discoverTask.fullyQualifiedName,
            rollupTask: this.rollupTask.fullyQualifiedName,
        });
    }
}
