import * as pulumi from "@pulumi/pulumi";
import * as snowflake from "@pulumi/snowflake";

import { deployAdminPrivileges, WallmonitorConfig } from "../lib/config/stack";
import { childName, childOptions } from "../lib/pulumi/naming";
import { Grant, grantInputs } from "../provider/grant";

export interface AccessArgs {
    readonly config: WallmonitorConfig;
    /** Provider of the administrative role: creates roles and account-level grants. */
    readonly adminProvider: pulumi.ProviderResource;
    /** The user that deploys the monitoring objects; the owner role is granted to it (lib/config/stack.ts resolveDeployUser). */
    readonly deployUser: string;
    /** On a bootstrap stack, the administrator, whose observability probes switch to the owner role (resolveBootstrapUser). */
    readonly bootstrapUser?: string;
    /** The database and warehouse the grants are on, when this stack creates them. */
    readonly dependsOn?: pulumi.Resource[];
}

/** What each role receives on an account-level object. */
export const OWNER_DATABASE_PRIVILEGES = ["USAGE", "MONITOR", "CREATE SCHEMA"];
export const OWNER_WAREHOUSE_PRIVILEGES = ["USAGE", "OPERATE", "MONITOR"];
export const VIEWER_DATABASE_PRIVILEGES = ["USAGE"];
export const VIEWER_WAREHOUSE_PRIVILEGES = ["USAGE"];
/**
 * Resuming or running any task needs EXECUTE TASK on the account; a serverless task needs
 * EXECUTE MANAGED TASK in addition, not instead
 * (https://docs.snowflake.com/en/sql-reference/sql/create-task,
 * https://docs.snowflake.com/en/sql-reference/sql/alter-task).
 */
export const OWNER_ACCOUNT_PRIVILEGES = ["EXECUTE TASK", "EXECUTE MANAGED TASK"];
/** Database role needed to call GET_AI_OBSERVABILITY_EVENTS (and Cortex functions). */
export const CORTEX_USER_DATABASE_ROLE = "SNOWFLAKE.CORTEX_USER";
/**
 * Database role that reads SNOWFLAKE.ACCOUNT_USAGE's usage-history views, CORTEX_AGENT_USAGE_HISTORY
 * among them (actual cost, components/cost.ts); the narrowest of the ACCOUNT_USAGE roles that covers it.
 */
export const USAGE_VIEWER_DATABASE_ROLE = "SNOWFLAKE.USAGE_VIEWER";
/**
 * Since 2026-04-24 GET_AI_OBSERVABILITY_EVENTS returns tool inputs and outputs, conversation
 * history and feedback text redacted unless the role holds this account privilege; direct reads of
 * the event table by AI_OBSERVABILITY_READER are not redacted.
 * https://docs.snowflake.com/en/release-notes/bcr-bundles/un-bundled/bcr-read-unredacted-ai-observability-events
 * The Snowflake provider sends on-account privilege names as given (it refuses only OWNERSHIP).
 */
export const READ_UNREDACTED_EVENTS_PRIVILEGE = "READ UNREDACTED AI OBSERVABILITY EVENTS TABLE";

/**
 * The owner and viewer roles and everything granted to them at account level. The owner role
 * owns every Wallmonitor object and runs ingestion; the viewer role only reads dashboards.
 * Grants inside the schema are declared next to the objects they are on.
 *
 * People get the viewer role, through parentRole. The owner role goes to the deploy user only:
 * it holds SNOWFLAKE.AI_OBSERVABILITY_READER, which reads every agent's raw events unredacted
 * (https://docs.snowflake.com/en/sql-reference/local/ai_observability_events), and a role granted to
 * parentRole is usable by every member of it (https://docs.snowflake.com/en/user-guide/security-access-control-overview#role-hierarchy-and-privilege-inheritance).
 * wallmonitor:ownerRoleToParentRole opts in to that inheritance; the plan's Grants table and the
 * policy rule owner-role-not-inherited show it.
 *
 * The roles are retained on delete: leaving a stack (to a bootstrap stack, or by a change of
 * wallmonitor:deployment) removes them from that stack's state, never from Snowflake. Grants are
 * not: a grant the config no longer asks for (ownerRoleToParentRole, readUnredactedEvents,
 * deployAdminRole turned off) is revoked, and a bootstrap run grants again what a move revoked.
 */
export class Access extends pulumi.ComponentResource {
    readonly ownerRole: snowflake.AccountRole;
    readonly viewerRole: snowflake.AccountRole;
    /** wallmonitor:deployAdminRole, where set: what a monitoring deploy creates account-level objects with. */
    readonly deployAdminRole?: snowflake.AccountRole;

    constructor(name: string, args: AccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("wallmonitor:access:Access", name, {}, opts);
        const { config } = args;
        const child = childOptions(this, args.adminProvider, args.dependsOn);
        // Roles are retained on delete (a dropped role takes every grant made to it); grants follow the config.
        const retained = { ...child, retainOnDelete: true };

        this.ownerRole = new snowflake.AccountRole(childName(name, config.ownerRole), {
            name: config.ownerRole,
            comment: `${config.comment}. Owns Wallmonitor objects and runs ingestion.`,
        }, retained);
        this.viewerRole = new snowflake.AccountRole(childName(name, config.viewerRole), {
            name: config.viewerRole,
            comment: `${config.comment}. Reads Wallmonitor dashboards.`,
        }, retained);
        const roles = { owner: this.ownerRole, viewer: this.viewerRole };

        new snowflake.GrantAccountRole(childName(name, `viewer_to_${config.parentRole}`), {
            roleName: roles.viewer.name,
            parentRoleName: config.parentRole,
        }, child);
        // The deploy user uses the owner role directly; no role above it inherits its event reader.
        new snowflake.GrantAccountRole(childName(name, `owner_to_user_${args.deployUser}`), {
            roleName: roles.owner.name,
            userName: args.deployUser,
        }, child);
        if (args.bootstrapUser !== undefined) {
            new snowflake.GrantAccountRole(childName(name, `owner_to_user_${args.bootstrapUser}`), {
                roleName: roles.owner.name,
                userName: args.bootstrapUser,
            }, child);
        }
        if (config.ownerRoleToParentRole) {
            new snowflake.GrantAccountRole(childName(name, `owner_to_${config.parentRole}`), {
                roleName: roles.owner.name,
                parentRoleName: config.parentRole,
            }, child);
        }

        const grant = (suffix: string, roleName: pulumi.Input<string>, grantArgs: Omit<snowflake.GrantPrivilegesToAccountRoleArgs, "accountRoleName">) =>
            new snowflake.GrantPrivilegesToAccountRole(childName(name, suffix), { accountRoleName: roleName, ...grantArgs }, child);

        grant("owner_account_privileges", this.ownerRole.name, { onAccount: true, privileges: OWNER_ACCOUNT_PRIVILEGES });
        // SNOWFLAKE.* database roles through Wallmonitor's provider (provider/grant.ts): the
        // Snowflake provider's grant_database_role fails or re-grants them on every `up`.
        for (const [suffix, databaseRole] of [["owner_cortex_user", CORTEX_USER_DATABASE_ROLE],
            ["owner_usage_viewer", USAGE_VIEWER_DATABASE_ROLE]] as const) {
            new Grant(childName(name, suffix), grantInputs({
                adminRole: config.adminRole,
                grantee: config.ownerRole,
                spec: { kind: "databaseRole", databaseRole },
            }), { parent: this, dependsOn: [this.ownerRole] });
        }

        const database = { objectType: "DATABASE", objectName: config.database };
        const warehouse = { objectType: "WAREHOUSE", objectName: config.warehouse };
        grant("owner_database", this.ownerRole.name, { onAccountObject: database, privileges: OWNER_DATABASE_PRIVILEGES });
        grant("owner_warehouse", this.ownerRole.name, { onAccountObject: warehouse, privileges: OWNER_WAREHOUSE_PRIVILEGES });
        grant("viewer_database", this.viewerRole.name, { onAccountObject: database, privileges: VIEWER_DATABASE_PRIVILEGES });
        grant("viewer_warehouse", this.viewerRole.name, { onAccountObject: warehouse, privileges: VIEWER_WAREHOUSE_PRIVILEGES });

        // A task naming an error integration needs its owner to hold USAGE on it
        // (https://docs.snowflake.com/en/user-guide/tasks-errors-integrate).
        if (config.taskErrorIntegration !== undefined) {
            grant("owner_task_error_integration", this.ownerRole.name, {
                onAccountObject: { objectType: "INTEGRATION", objectName: config.taskErrorIntegration }, privileges: ["USAGE"],
            });
        }

        // Only when text is stored: the per-agent path then reads it unredacted (lib/config.ts refuses it alone).
        if (config.readUnredactedEvents && config.storeConversationText) {
            grant("owner_read_unredacted_events", this.ownerRole.name,
                { onAccount: true, privileges: [READ_UNREDACTED_EVENTS_PRIVILEGE] });
        }

        // The monitoring stack's integrations, share or shared databases: a role of their own with just those
        // account privileges, so the routine deploy key never holds adminRole (lib/config/stack.ts deployTimeAdminUses).
        if (config.deployAdminRole !== undefined) {
            this.deployAdminRole = new snowflake.AccountRole(childName(name, config.deployAdminRole), {
                name: config.deployAdminRole,
                comment: `${config.comment}. Creates the account-level objects of a routine Wallmonitor deploy.`,
            }, retained);
            grant("deploy_admin_account_privileges", this.deployAdminRole.name,
                { onAccount: true, privileges: deployAdminPrivileges(config) });
            new snowflake.GrantAccountRole(childName(name, `deploy_admin_to_user_${args.deployUser}`), {
                roleName: this.deployAdminRole.name,
                userName: args.deployUser,
            }, child);
        }

        this.registerOutputs({ ownerRole: this.ownerRole.name, viewerRole: this.viewerRole.name });
    }
}
