import * as pulumi from "@pulumi/pulumi";

import { buildSqlCatalog, SqlCatalog } from "../lib/sql/catalog";
import { ConnectionConfig, WallmonitorConfig } from "../lib/config/stack";
import { createRoleProviders, RoleProviders } from "../lib/pulumi/providers";
import { Registry } from "../lib/sql/registry";
import { Access } from "./access";
import { Central } from "./central";
import { Cost } from "./cost";
import { Alerting } from "./alerting";
import { DashboardApp } from "./dashboardApp";
import { Dashboards } from "./dashboards";
import { Ingestion } from "./ingestion";
import { ObservabilityAccess } from "./observability";
import { Platform } from "./platform";
import { MemberShare } from "./sharing";
import { Storage } from "./storage";

export interface WallmonitorArgs {
    /** Validated stack configuration (lib/config.ts). */
    readonly config: WallmonitorConfig;
    /** Connection settings shared by the role providers; secrets stay Pulumi secrets. */
    readonly connection: ConnectionConfig;
    /** The Git token for a Git-sourced dashboard (wallmonitor:gitToken), as a Pulumi secret. */
    readonly gitToken?: pulumi.Output<string>;
    /** SOURCE_ACCOUNT (`ORG.ACCOUNT`) of a member or central stack (lib/orgConfig.ts ownSourceAccount). */
    readonly sourceAccount?: string;
    /** Alerting webhooks' URLs and credentials (lib/config.ts loadAlertWebhookTargets); credentials are Pulumi secrets. */
    readonly alertWebhookTargets?: Readonly<Record<string, { url: string; secret: pulumi.Output<string> }>>;
    /** The models to deploy; by default every sql/<area>/models.yml (lib/sql/registry.ts). */
    readonly registry?: Registry;
}

/**
 * Wallmonitor for one Snowflake account: the administrative role bootstraps the roles,
 * account grants, database and warehouse; the owner role creates and owns everything inside
 * the schema (tables, procedures, tasks, views, dynamic tables, the Streamlit dashboard).
 */
export class Wallmonitor extends pulumi.ComponentResource {
    readonly providers: RoleProviders;
    readonly sql: SqlCatalog;
    readonly platform: Platform;
    readonly access: Access;
    readonly observability: ObservabilityAccess;
    readonly storage: Storage;
    readonly ingestion: Ingestion;
    readonly dashboards: Dashboards;
    readonly cost: Cost;
    readonly dashboardApp: DashboardApp;
    /** A member's share for the central account (accountRole member). */
    readonly memberShare?: MemberShare;
    /** The central account's member databases and unified views (accountRole central). */
    readonly central?: Central;
    /** Present only with wallmonitor:alertingEnabled; a stack without it creates no alerting object. */
    readonly alerting?: Alerting;

    constructor(name: string, args: WallmonitorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("wallmonitor:index:Wallmonitor", name, {}, opts);
        const { config } = args;
        // The one catalog of the stack; each component below receives its slice of it.
        this.sql = buildSqlCatalog(config, { registry: args.registry, sourceAccount: args.sourceAccount });
        this.providers = createRoleProviders(name, config, args.connection, { parent: this });

        this.platform = new Platform(`${name}-platform`, {
            config,
            adminProvider: this.providers.admin,
        }, { parent: this });
        this.access = new Access(`${name}-access`, {
            config,
            adminProvider: this.providers.admin,
            dependsOn: [this.platform],
        }, { parent: this });
        // What the owner role may read of the AI-observability events, granted and probed by
        // Wallmonitor's own provider; the pipeline re-checks at run time.
        this.observability = new ObservabilityAccess(`${name}-observability`, {
            config,
            dependsOn: [this.access],
        }, { parent: this });
        this.storage = new Storage(`${name}-storage`, {
            config,
            ownerProvider: this.providers.owner,
            dependsOn: [this.access],
        }, { parent: this });
        const tables = Object.values(this.storage.tables);
        this.ingestion = new Ingestion(`${name}-ingestion`, {
            config,
            sql: this.sql,
            ownerProvider: this.providers.owner,
            // The tasks start at once: the owner should hold the event-table role first.
            dependsOn: [...tables, this.observability],
        }, { parent: this });
        this.dashboards = new Dashboards(`${name}-dashboards`, {
            config,
            sql: this.sql,
            ownerProvider: this.providers.owner,
            viewerRoleName: this.access.viewerRole.name,
            dependsOn: [...tables, this.access],
        }, { parent: this });
        // Actual cost reads ACCOUNT_USAGE: after the access component's SNOWFLAKE.USAGE_VIEWER grant.
        this.cost = new Cost(`${name}-cost`, {
            config,
            sql: this.sql,
            ownerProvider: this.providers.owner,
            viewerRoleName: this.access.viewerRole.name,
            dependsOn: [...tables, this.access],
        }, { parent: this });
        // The app opens for the viewer role and reads the views: it comes after both, and after
        // the viewer's grants on them.
        this.dashboardApp = new DashboardApp(`${name}-dashboard-app`, {
            config,
            gitToken: args.gitToken,
            dependsOn: [this.access, this.dashboards, this.cost],
        }, { parent: this });

        // Organisation-wide monitoring: a member shares its rollups, the central account unifies them.
        if (config.accountRole !== "standalone" && args.sourceAccount === undefined) {
            throw new Error(`a ${config.accountRole} stack needs its SOURCE_ACCOUNT (sourceAccount)`);
        }
        if (config.accountRole === "member") {
            this.memberShare = new MemberShare(`${name}-org-share`, {
                config,
                sql: this.sql.org.memberShare!,
                sourceAccount: args.sourceAccount!,
                connection: args.connection,
                ownerProvider: this.providers.owner,
                dependsOn: [...tables, this.dashboards],
            }, { parent: this });
        }
        if (config.accountRole === "central") {
            this.central = new Central(`${name}-org-central`, {
                config,
                sql: this.sql.org.central!,
                adminProvider: this.providers.admin,
                ownerProvider: this.providers.owner,
                ownerRoleName: this.access.ownerRole.name,
                viewerRoleName: this.access.viewerRole.name,
                dependsOn: [...tables, this.access, this.dashboards],
            }, { parent: this });
        }
        if (config.alertingEnabled) {
            this.alerting = new Alerting(`${name}-alerting`, {
                config,
                sql: this.sql.alerts,
                ownerProvider: this.providers.owner,
                webhookTargets: args.alertWebhookTargets ?? {},
                dependsOn: [...tables, this.access],
            }, { parent: this });
        }

        this.registerOutputs({});
    }
}
