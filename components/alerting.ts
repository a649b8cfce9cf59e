import * as pulumi from "@pulumi/pulumi";
import * as snowflake from "@pulumi/snowflake";

import { ALERT_PROCEDURE, ALERT_TASK, alertEmailIntegrationName, alertingProcedureDefinition, AlertSql } from "../lib/sql/alertCatalog";
import { WallmonitorConfig } from "../lib/config/stack";
import { childName, childOptions } from "../lib/pulumi/naming";
import { pythonProcedureValues } from "../lib/sql/procedures";
import { EmailIntegration, emailIntegrationInputs } from "../provider/emailIntegration";
import { Procedure, procedureInputs } from "../provider/procedure";
import { WebhookIntegration, webhookIntegrationInputs } from "../provider/webhookIntegration";

export interface AlertingArgs {
    readonly config: WallmonitorConfig;
    /** Its slice of the stack's catalog (lib/sql/catalog.ts buildSqlCatalog). */
    readonly sql: AlertSql;
    readonly ownerProvider: pulumi.ProviderResource;
    /** Each configured webhook's URL (no credential) and credential (a Pulumi secret), from loadAlertWebhookTargets(). */
    readonly webhookTargets: Readonly<Record<string, { url: string; secret: pulumi.Output<string> }>>;
    /** The alert tables, the history the rules read, and the roles. */
    readonly dependsOn?: pulumi.Resource[];
}

/**
 * Alerting (wallmonitor:alertingEnabled): the procedure EVALUATE_ALERTS (procedures/alerting.py
 * running sql/alerts/), the serverless task EVALUATE_ALERTS_TASK that runs it every
 * alertScheduleMinutes, created started (resumed), and the notification integrations it sends
 * through: email to the allowed recipients, and each Slack / Teams / PagerDuty webhook with its
 * credential in a Snowflake secret (both through Wallmonitor's dynamic provider).
 *
 * Why a task and not Snowflake ALERT objects: one evaluation covers eleven rules for every
 * agent, with state (cooldown, escalation, recovery) carried between runs; an ALERT has one
 * condition and one action and keeps no state, so it would take eleven alerts per stack and
 * still need this procedure for the transitions. A serverless task costs only its run time,
 * like the ingestion tasks. It has its own schedule rather than following the refresh task, so a
 * suspended or failing ingestion is still noticed (data_lag).
 */
export class Alerting extends pulumi.ComponentResource {
    readonly procedure: Procedure;
    readonly task: snowflake.Task;
    readonly emailIntegration?: EmailIntegration;
    readonly webhooks: Readonly<Record<string, WebhookIntegration>>;

    constructor(name: string, args: AlertingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("wallmonitor:alerting:Alerting", name, {}, opts);
        const { config, sql } = args;
        const child = childOptions(this, args.ownerProvider, args.dependsOn);
        // The dynamic resources connect on their own (configure()), as the owner role, switching to the admin role.
        const dynamic: pulumi.CustomResourceOptions = { parent: this, dependsOn: args.dependsOn };

        if (config.alertEmailRecipients !== undefined) {
            this.emailIntegration = new EmailIntegration(childName(name, "ALERT_EMAIL"), emailIntegrationInputs({
                ownerRole: config.ownerRole,
                adminRole: config.adminRole,
                comment: config.comment,
                integrationName: alertEmailIntegrationName(config),
                recipients: config.alertEmailRecipients,
            }), dynamic);
        }
        this.webhooks = Object.fromEntries((config.alertWebhooks ?? []).map((webhook) => {
            const target = args.webhookTargets[webhook.name];
            if (target === undefined) {
                throw new Error(`No URL and secret for the webhook ${webhook.name}: pass loadAlertWebhookTargets(config).`);
            }
            return [webhook.name, new WebhookIntegration(childName(name, webhook.name), {
                ...webhookIntegrationInputs({
                    database: config.database,
                    schema: config.schema,
                    ownerRole: config.ownerRole,
                    adminRole: config.adminRole,
                    comment: config.comment,
                    integrationName: webhook.name,
                    secretName: `${webhook.name}_SECRET`,
                    kind: webhook.kind,
                    url: target.url,
                    acceptReadableBindValues: config.acceptReadableBindValues,
                }),
                webhookSecret: pulumi.secret(target.secret),
            }, dynamic)];
        }));
        const integrations: pulumi.Resource[] = [
            ...(this.emailIntegration === undefined ? [] : [this.emailIntegration]), ...Object.values(this.webhooks),
        ];

        // Wallmonitor's own provider, as the owner role: an update is CREATE OR REPLACE, so the task
        // never finds the procedure missing (provider/procedure.ts).
        this.procedure = new Procedure(childName(name, ALERT_PROCEDURE), procedureInputs({
            ownerRole: config.ownerRole,
            database: config.database,
            schema: config.schema,
            name: ALERT_PROCEDURE,
            template: "create_evaluate_alerts",
            values: pythonProcedureValues("evaluate_alerts",
                "Evaluates the alert rules as of AS_OF (NULL: now), records firings and recoveries in ALERT_HISTORY and notifies."),
            body: alertingProcedureDefinition(sql),
        }), dynamic);

        // Serverless, started: Snowflake resumes the task when it is created. A root task without
        // children: the root-only settings are its own, OVERLAP_POLICY stays Snowflake's default
        // NO_OVERLAP (see components/ingestion.ts). ERROR_INTEGRATION is the stack's queue integration
        // (taskErrorIntegration), if any: Snowflake accepts only queue integrations there, not the
        // email and webhook integrations created above (https://docs.snowflake.com/en/user-guide/tasks-errors).
        this.task = new snowflake.Task(childName(name, ALERT_TASK), {
            database: config.database,
            schema: config.schema,
            name: ALERT_TASK,
            started: true,
            schedule: { minutes: config.alertScheduleMinutes },
            sqlStatement: sql.task.text,
            userTaskManagedInitialWarehouseSize: config.taskSize,
            suspendTaskAfterNumFailures: config.suspendTaskAfterFailures,
            errorIntegration: config.taskErrorIntegration,
            comment: config.comment,
        }, { ...child, dependsOn: [this.procedure, ...integrations] });

        this.registerOutputs({
            task: this.task.fullyQualifiedName,
            integrations: integrations.length,
        });
    }
}
