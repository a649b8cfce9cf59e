import * as pulumi from "@pulumi/pulumi";

import { buildSqlCatalog, SqlCatalog } from "../lib/sql/catalog";
import { ConnectionConfig, monitoringAdminRole, resolveBootstrapUser, resolveDeployUser, WallmonitorConfig } from "../lib/config/stack";
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
 * wallmonitor:deployment splits the two into a bootstrap stack, run rarely by an administrator,
 * and a monitoring stack, deployed routinely by wallmonitor:deployUser without the admin role.
 */
export class Wallmonitor extends pulumi.ComponentResource {
    readonly providers: RoleProviders;
    readonly sql: SqlCatalog;
    /** The account-level part: present unless wallmonitor:deployment is monitoring. */
    readonly platform?: Platform;
    readonly access?: Access;
    readonly observability?: ObservabilityAccess;
    /** The monitoring part: present unless wallmonitor:deployment is bootstrap. */
    readonly storage?: Storage;
    readonly ingestion?: Ingestion;
    readonly dashboards?: Dashboards;
    readonly cost?: Cost;
    readonly dashboardApp?: DashboardApp;
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

        if (config.deployment !== "monitoring") {
            const adminProvider = this.providers.admin!;
            this.platform = new Platform(`${name}-platform`, { config, adminProvider }, { parent: this });
            this.access = new Access(`${name}-access`, {
                config,
                adminProvider,
                deployUser: resolveDeployUser(config, args.connection),
                bootstrapUser: resolveBootstrapUser(config, args.connection),
                dependsOn: [this.platform],
            }, { parent: this });
            // What the owner role may read of the AI-observability events, granted and probed by
            // Wallmonitor's own provider; the pipeline re-checks at run time.
            this.observability = new ObservabilityAccess(`${name}-observability`, {
                config,
                dependsOn: [this.access],
            }, { parent: this });
        }
        if (config.deployment !== "bootstrap") {
            Object.assign(this, this.deployMonitoring(name, args));
        }
        this.registerOutputs({});
    }

    /** Everything inside the schema, as the owner role; after the bootstrap where this stack runs it too. */
    private deployMonitoring(name: string, args: WallmonitorArgs): MonitoringPart {
        // Account-level objects the schema objects need (integrations, a share) come from deployAdminRole where set.
        const config: WallmonitorConfig = { ...args.config, adminRole: monitoringAdminRole(args.config) };
        const access = this.access === undefined ? [] : [this.access];
        const observability = this.observability === undefined ? [] : [this.observability];
        const ownerProvider = this.providers.owner!;
        const viewerRoleName = this.access?.viewerRole.name ?? config.viewerRole;
        const storage = new Storage(`${name}-storage`, {
            config,
            ownerProvider,
            dependsOn: access,
        }, { parent: this });
        const tables = Object.values(storage.tables);
        const ingestion = new Ingestion(`${name}-ingestion`, {
            config,
            sql: this.sql,
            ownerProvider,
            // The tasks start at once: the owner should hold the event-table role first.
            dependsOn: [...tables, ...observability],
        }, { parent: this });
        const dashboards = new Dashboards(`${name}-dashboards`, {
            config,
            sql: this.sql,
            ownerProvider,
            viewerRoleName,
            dependsOn: [...tables, ...access],
        }, { parent: this });
        // Actual cost reads ACCOUNT_USAGE: after the access component's SNOWFLAKE.USAGE_VIEWER grant.
        const cost = new Cost(`${name}-cost`, {
            config,
            sql: this.sql,
            ownerProvider,
            viewerRoleName,
            dependsOn: [...tables, ...access],
        }, { parent: this });
        // The app opens for the viewer role and reads the views: it comes after both, and after
        // the viewer's grants on them.
        const dashboardApp = new DashboardApp(`${name}-dashboard-app`, {
            config,
            gitToken: args.gitToken,
            dependsOn: [...access, dashboards, cost],
        }, { parent: this });

        // Organisation-wide monitoring: a member shares its rollups, the central account unifies them.
        if (config.accountRole !== "standalone" && args.sourceAccount === undefined) {
            throw new Error(`a ${config.accountRole} stack needs its SOURCE_ACCOUNT (sourceAccount)`);
        }
        const part: MonitoringPart = { storage, ingestion, dashboards, cost, dashboardApp };
        if (config.accountRole === "member") {
            part.memberShare = new MemberShare(`${name}-org-share`, {
                config,
                sql: this.sql.org.memberShare!,
                sourceAccount: args.sourceAccount!,
                connection: args.connection,
                ownerProvider,
                dependsOn: [...tables, dashboards],
            }, { parent: this });
        }
        if (config.accountRole === "central") {
            part.central = new Central(`${name}-org-central`, {
                config,
                sql: this.sql.org.central!,
                adminProvider: this.providers.deployAdmin ?? this.providers.admin!,
                ownerProvider,
                ownerRoleName: this.access?.ownerRole.name ?? config.ownerRole,
                viewerRoleName,
                dependsOn: [...tables, ...access, dashboards],
            }, { parent: this });
        }
        if (config.alertingEnabled) {
            part.alerting = new Alerting(`${name}-alerting`, {
                config,
                sql: this.sql.alerts,
                ownerProvider,
                webhookTargets: args.alertWebhookTargets ?? {},
                dependsOn: [...tables, ...access],
            }, { parent: this });
        }
        return part;
    }
}

/** What the monitoring part declares (Wallmonitor's fields of the same names). */
interface MonitoringPart {
    storage: Storage;
    ingestion: Ingestion;
    dashboards: Dashboards;
    cost: Cost;
    dashboardApp: DashboardApp;
    memberShare?: MemberShare;
    central?: Central;
    alerting?: Alerting;
}
