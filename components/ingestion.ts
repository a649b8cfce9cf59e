import * as pulumi from "@pulumi/pulumi";
import * as snowflake from "@pulumi/snowflake";

import { PROCEDURE_NAMES, SqlCatalog, TASK_NAMES } from "../lib/catalog";
import { WallmonitorConfig } from "../lib/config";
import { childName, childOptions } from "../lib/naming";
import { ingestionProcedureDefinition } from "../lib/procedures";

export interface IngestionArgs {
    readonly config: WallmonitorConfig;
    readonly sql: SqlCatalog;
    readonly ownerProvider: pulumi.ProviderResource;
    /** The tables the procedures read and write. */
    readonly dependsOn?: pulumi.Resource[];
}

/** Snowpark runtime of the procedures; both are versions Snowflake's Anaconda channel serves. */
export const PYTHON_RUNTIME = "3.11";
export const SNOWPARK_VERSION = "1.26.0";

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
    readonly refreshProcedure: snowflake.ProcedurePython;
    readonly discoverProcedure: snowflake.ProcedurePython;
    readonly refreshTask: snowflake.Task;
    readonly discoverTask: snowflake.Task;
    readonly rollupProcedure: snowflake.ProcedurePython;
    readonly rollupTask: snowflake.Task;

    constructor(name: string, args: IngestionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("wallmonitor:ingestion:Ingestion", name, {}, opts);
        const { config, sql } = args;
        const child = childOptions(this, args.ownerProvider, args.dependsOn);
        const definition = ingestionProcedureDefinition(sql.procedureStatements);
        const procedure = (procedureName: string, handler: string, comment: string,
                           argumentsList: snowflake.types.input.ProcedurePythonArgument[]) =>
            new snowflake.ProcedurePython(childName(name, procedureName), {
                database: config.database,
                schema: config.schema,
                name: procedureName,
                arguments: argumentsList,
                returnType: "VARCHAR",
                runtimeVersion: PYTHON_RUNTIME,
                snowparkPackage: SNOWPARK_VERSION,
                handler,
                procedureDefinition: definition,
                executeAs: "OWNER",
                comment,
            }, child);

        this.refreshProcedure = procedure(PROCEDURE_NAMES.refresh, "refresh_agent_events",
            "Loads new Cortex Agent events for every active agent and applies retention.", [
                { argName: "LOOKBACK_HOURS", argDataType: "FLOAT", argDefaultValue: String(config.initialLookbackHours) },
                { argName: "HISTORY_DAYS", argDataType: "NUMBER(38,0)", argDefaultValue: String(config.historyDays) },
                // auto | event_table | per_agent; a default, so a two-argument CALL still works.
                { argName: "INGEST_PATH", argDataType: "VARCHAR", argDefaultValue: `'${config.ingestPath}'` },
            ]);
        this.discoverProcedure = procedure(PROCEDURE_NAMES.discover, "discover_agents",
            "Registers the Cortex Agents SHOW AGENTS reports that match the patterns.", [
                { argName: "INCLUDE_PATTERN", argDataType: "VARCHAR", argDefaultValue: "'%'" },
                { argName: "EXCLUDE_PATTERN", argDataType: "VARCHAR", argDefaultValue: "NULL" },
                { argName: "AUTO_ACTIVATE", argDataType: "BOOLEAN", argDefaultValue: "TRUE" },
            ]);
        this.rollupProcedure = procedure(PROCEDURE_NAMES.rollup, "rollup_agent_events",
            "Recomputes the daily rollups of the days new or late events touched, and expires old rollup days.", [
                { argName: "HISTORY_DAYS", argDataType: "NUMBER(38,0)", argDefaultValue: String(config.historyDays) },
                { argName: "ROLLUP_RETENTION_DAYS", argDataType: "NUMBER(38,0)", argDefaultValue: String(config.rollupRetentionDays) },
            ]);

        // Serverless (no warehouse): Snowflake sizes the compute and bills only the run time.
        // USER_TASK_MANAGED_INITIAL_WAREHOUSE_SIZE is a per-task setting, so every member of the
        // graph gets it. SCHEDULE and SUSPEND_TASK_AFTER_NUM_FAILURES belong to the root only; a
        // failing child counts against the root (https://docs.snowflake.com/en/sql-reference/sql/create-task).
        // No ERROR_INTEGRATION: Snowflake takes only a queue integration (Amazon SNS, Google
        // Pub/Sub, Azure Event Grid) there, never the email or webhook integrations alerting
        // creates (https://docs.snowflake.com/en/user-guide/tasks-errors). A suspended refresh
        // graph is reported through those channels by the alert rules data_lag and ingest_failing.
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
