import * as pulumi from "@pulumi/pulumi";
import * as snowflake from "@pulumi/snowflake";

import { PROCEDURE_NAMES, SqlCatalog, TASK_NAMES } from "../lib/sql/catalog";
import { WallmonitorConfig } from "../lib/config/stack";
import { childName, childOptions } from "../lib/pulumi/naming";
import { ingestionProcedureDefinition, pythonProcedureValues } from "../lib/sql/procedures";
import { literal, SqlValue } from "../lib/sql/render";
import { Procedure, procedureInputs } from "../provider/procedure";

export interface IngestionArgs {
    readonly config: WallmonitorConfig;
    /** Its slice of the stack's catalog: the procedures' statements and the tasks. */
    readonly sql: Pick<SqlCatalog, "procedureStatements" | "tasks">;
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
 * too, since a serverless task runs with its owner's privileges (EXECUTE TASK and EXECUTE MANAGED TASK).
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

        // Serverless (no warehouse): Snowflake sizes the compute and bills only the run time.
        // USER_TASK_MANAGED_INITIAL_WAREHOUSE_SIZE is a per-task setting, so every member of the
        // graph gets it. SCHEDULE and SUSPEND_TASK_AFTER_NUM_FAILURES belong to the root only; a
        // failing child counts against the root (https://docs.snowflake.com/en/sql-reference/sql/create-task).
        // ERROR_INTEGRATION, a root setting too, is the stack's taskErrorIntegration when set: Snowflake
        // takes only a queue integration (Amazon SNS, Google Pub/Sub, Azure Event Grid) there, never
        // the email or webhook integrations alerting creates (https://docs.snowflake.com/en/user-guide/tasks-errors).
        // Without one, a suspended refresh graph is reported by the alert rules data_lag and ingest_failing.
        // OVERLAP_POLICY is left to Snowflake's default, NO_OVERLAP: the next graph run is scheduled
        // only after every child has finished
        // (https://docs.snowflake.com/en/release-notes/2026/other/2026-03-13-tasks-overlap-policy).
        // @pulumi/snowflake 1.3.0's Task cannot express OVERLAP_POLICY, and its deprecated
        // ALLOW_OVERLAPPING_EXECUTION is refused on a child task.
        const everyTask = {
            database: config.database,
            schema: config.schema,
            started: true,
            userTaskManagedInitialWarehouseSize: config.taskSize,
            comment: config.comment,
        };
        this.refreshTask = new snowflake.Task(childName(name, TASK_NAMES.refresh), {
            ...everyTask,
            name: TASK_NAMES.refresh,
            schedule: { minutes: config.refreshIntervalMinutes },
            suspendTaskAfterNumFailures: config.suspendTaskAfterFailures,
            errorIntegration: config.taskErrorIntegration,
            sqlStatement: sql.tasks.refresh.text,
        }, { ...child, dependsOn: [this.refreshProcedure] });
        // Chained after each refresh: an agent created now is registered, then read next cycle.
        this.discoverTask = new snowflake.Task(childName(name, TASK_NAMES.discover), {
            ...everyTask,
            name: TASK_NAMES.discover,
            afters: [this.refreshTask.fullyQualifiedName],
            sqlStatement: sql.tasks.discover.text,
        }, { ...child, dependsOn: [this.discoverProcedure, this.refreshTask] });

        // Chained after each refresh too: recomputes only the days the refresh loaded events for.
        // Created and updated after the discover task, never beside it: the Snowflake provider
        // suspends and resumes the root around every change to a child (terraform-provider-snowflake
        // pkg/sdk/tasks_impl_gen.go SuspendRootTasks), and two children changed at once race and
        // can leave the graph suspended (terraform-provider-snowflake issues 4041 and 3887).
        this.rollupTask = new snowflake.Task(childName(name, TASK_NAMES.rollup), {
            ...everyTask,
            name: TASK_NAMES.rollup,
            afters: [this.refreshTask.fullyQualifiedName],
            sqlStatement: sql.tasks.rollup.text,
        }, { ...child, dependsOn: [this.rollupProcedure, this.refreshTask, this.discoverTask] });

        this.registerOutputs({
            refreshTask: this.refreshTask.fullyQualifiedName,
            discoverTask: this.discoverTask.fullyQualifiedName,
            rollupTask: this.rollupTask.fullyQualifiedName,
        });
    }
}
