import * as pulumi from "@pulumi/pulumi";

import { AlertConfigError, AlertRuleSet, AlertWebhook, parseAlertRules, parseEmailRecipients, parseWebhooks, webhookTarget, WebhookTarget } from "./alerts";
import { CostConfig, parseCostConfig } from "./cost";
import { OwnCostConfig, parseOwnCostConfig } from "./ownCost";
import { ConfigSchema, PROJECT_CONFIG_SCHEMA, withSchemaDefaults } from "./defaults";
import { GIT_APP_PATH_PATTERN, GIT_COMMIT_PATTERN, GIT_REF_PATTERN, GIT_USERNAME_PATTERN } from "./git";
import { AllowedColumnChanges, parseAllowColumnChanges } from "../sql/historyColumns";
import { IDENTIFIER_PATTERN } from "../sql/identifier";
import {
    ACCOUNT_ROLES, checkOrgIdentityKey, checkOrgSettings, ORG_IDENTITY_KEY, ORG_USER_IDENTITIES, OrgSettings, parseConsumerAccounts,
    parseMembers, REGION_PATTERN,
} from "./org";
import { CONFIG_NAMESPACE, ConfigError, RawConfigSource, Reader } from "./reader";
import { parseSlos, SloConfigError, SloEntry } from "./slo";

/**
 * The one place that reads and validates Wallmonitor's stack configuration.
 *
 * Every key is checked before a single resource is declared, and a bad value fails the
 * preview with a message that names the key, what was given and what is accepted. Defaults
 * come from Pulumi.yaml's config schema (lib/config/defaults.ts) and are parsed like set values.
 *
 * A new key: declare it (type, default, description) in Pulumi.yaml, add its field to
 * WallmonitorConfig and one line to parseConfig with the reader for its kind (`optional(...)`
 * when its default is "").
 */

/** The config API's error type, re-exported so that callers import the config module alone. */
export { ConfigError } from "./reader";

export const WAREHOUSE_SIZES = [
    "XSMALL", "SMALL", "MEDIUM", "LARGE", "XLARGE", "XXLARGE", "XXXLARGE", "X4LARGE", "X5LARGE", "X6LARGE",
] as const;
export type WarehouseSize = (typeof WAREHOUSE_SIZES)[number];

/** Snowflake's managed-task sizes (USER_TASK_MANAGED_INITIAL_WAREHOUSE_SIZE) are the same names. */
export type TaskSize = WarehouseSize;

/** Where the dashboard app's files come from: this repository's streamlit/ folder, or a Git repository. */
export const DASHBOARD_SOURCES = ["folder", "git"] as const;
export type DashboardSource = (typeof DASHBOARD_SOURCES)[number];

/**
 * How each ingestion cycle reads events: `event_table` in one pass over
 * SNOWFLAKE.LOCAL.AI_OBSERVABILITY_EVENTS (the default: one application role reads every agent,
 * unredacted; see the README, "Deploying for real"), `per_agent` through GET_AI_OBSERVABILITY_EVENTS
 * for each agent in wallmonitor:agentLocations, or `auto`: the event table when the owner role can
 * read it, else per agent.
 */
export const INGEST_PATHS = ["auto", "event_table", "per_agent"] as const;
export type IngestPath = (typeof INGEST_PATHS)[number];

/** The core keys below; cost* (lib/config/cost.ts), ownCost* (lib/config/ownCost.ts) and accountRole/org* (lib/config/org.ts) come from their modules. */
export interface WallmonitorConfig extends CostConfig, OwnCostConfig, OrgSettings {
    /** Database that holds the Wallmonitor schema. */
    readonly database: string;
    /** Create the database (true) or use one that already exists (false). */
    readonly createDatabase: boolean;
    readonly schema: string;
    readonly warehouse: string;
    readonly createWarehouse: boolean;
    readonly warehouseSize: WarehouseSize;
    readonly warehouseAutoSuspendSeconds: number;
    /** Role that owns every schema object and runs ingestion. */
    readonly ownerRole: string;
    /** Read-only role for dashboards. */
    readonly viewerRole: string;
    /** Role the owner and viewer roles are granted to (so its users can use them). */
    readonly parentRole: string;
    /** Role the bootstrap provider uses: creates the roles, the account grants and the warehouse. */
    readonly adminRole: string;
    readonly refreshIntervalMinutes: number;
    readonly realtimeWindowHours: number;
    readonly historyDays: number;
    /** Days the daily rollups (AGENT_DAILY_ROLLUP and the others) are kept; raw history is kept historyDays. */
    readonly rollupRetentionDays: number;
    readonly dynamicTableTargetLagMinutes: number;
    /** Target lag of the FULL-refresh dynamic tables; 0 means dynamicTableTargetLagMinutes (see dynamicTableLagMinutes). */
    readonly fullRefreshTargetLagMinutes: number;
    /** How far before its watermark each ingestion cycle re-reads an agent, to catch late events. */
    readonly ingestOverlapMinutes: number;
    /** How far back the first cycle reads an agent that has no watermark yet. */
    readonly initialLookbackHours: number;
    /** How a cycle reads events: event_table (the default), per_agent, or auto (decided at run time). */
    readonly ingestPath: IngestPath;
    /** SQL LIKE pattern (case-insensitive) matched against DATABASE.SCHEMA.AGENT. */
    readonly agentIncludePattern: string;
    /** SQL LIKE pattern excluded from discovery; undefined excludes nothing. */
    readonly agentExcludePattern: string | undefined;
    /** Store the user's question, the agent's answer, raw attributes, search queries and Analyst SQL, and feedback comments. */
    readonly storeConversationText: boolean;
    readonly taskSize: TaskSize;
    readonly suspendTaskAfterFailures: number;
    /** Comment put on every object that takes one. */
    readonly comment: string;
    /** Build the dashboard app from the streamlit/ folder (uploaded to a stage) or from a Git repository. */
    readonly dashboardSource: DashboardSource;
    /** The Git repository's https URL; required when dashboardSource is git. */
    readonly gitRepositoryUrl: string | undefined;
    /** What to deploy: `branches/<name>`, `tags/<name>` or `commits/<sha>`. */
    readonly gitRef: string;
    /** For a branch: the commit to deploy (then exactly that one); change it to redeploy. */
    readonly gitCommit: string | undefined;
    /** The app's folder in the repository (`.` for its root). */
    readonly gitAppPath: string;
    /** https prefixes the API integration may reach; when not configured, the repository URL's owner (`https://host/owner/`). */
    readonly gitAllowedPrefixes: readonly string[] | undefined;
    /** User name stored with the token (wallmonitor:gitToken) in the Snowflake secret. */
    readonly gitUsername: string | undefined;
    // --- alerting (lib/config/alerts.ts) ---
    /** Deploy alert evaluation and notifications; false creates no alerting object. */
    readonly alertingEnabled: boolean;
    /** Minutes between two evaluations of the alert rules (its own serverless task). */
    readonly alertScheduleMinutes: number;
    /** How long a condition must stay clear before its incident recovers; a re-fire sooner is the same incident. */
    readonly alertCooldownMinutes: number;
    /** Rules changed from the built-in defaults (undefined: the defaults); see alertRuleSet(). */
    readonly alertRules: AlertRuleSet | undefined;
    /** Addresses the email notification integration may send to. */
    readonly alertEmailRecipients: readonly string[] | undefined;
    /** Slack, Teams and PagerDuty webhooks, each with the config key of its secret. */
    readonly alertWebhooks: readonly AlertWebhook[] | undefined;
    /**
     * Create the webhook and Git token secrets even though the account lets bind values be read
     * back (ALLOW_BIND_VALUES_ACCESS is not FALSE), accepting that the credential bound to CREATE
     * or ALTER SECRET stays readable in bind history (provider/bindHistory.ts).
     */
    readonly acceptReadableBindValues: boolean;
    /** History-table columns whose drop, rename, type change or placement this stack accepts (lib/sql/historyColumns.ts). */
    readonly allowColumnChanges: AllowedColumnChanges | undefined;
    /**
     * Grant the owner role READ UNREDACTED AI OBSERVABILITY EVENTS TABLE, so that
     * GET_AI_OBSERVABILITY_EVENTS (the per-agent path) returns text; only with storeConversationText.
     */
    readonly readUnredactedEvents: boolean;
    /**
     * An existing Amazon SNS, Google Pub/Sub or Azure Event Grid notification integration that the
     * root tasks send their errors to (a suspended task graph then notifies someone). Snowflake accepts
     * only these queue integrations for task errors, not the email or webhook ones alerting creates
     * (https://docs.snowflake.com/en/user-guide/tasks-errors). Undefined: no error integration.
     */
    readonly taskErrorIntegration: string | undefined;
    // --- agent access (see parseAgentLocations) ---
    /**
     * Where the stack's Cortex Agents live: `DATABASE` or `DATABASE.SCHEMA` entries. The admin role
     * grants the owner role MONITOR on all and on future agents there (and USAGE on the database
     * and schema), which the per-agent path and SHOW AGENTS need; undefined grants nothing.
     */
    readonly agentLocations: readonly AgentLocation[] | undefined;
    // --- deployment identities (see DEPLOYMENTS) ---
    /** What this stack declares: everything (`all`), only the account-level bootstrap, or only the monitoring objects. */
    readonly deployment: Deployment;
    /**
     * The user that deploys the monitoring objects: the owner role is granted to it directly. Undefined: the
     * connection's user (snowflake:user), which is the one identity of a stack that deploys `all`.
     */
    readonly deployUser: string | undefined;
    /**
     * Grant the owner role to parentRole as well. The owner role holds SNOWFLAKE.AI_OBSERVABILITY_READER (every
     * agent's raw events, unredacted), so this lets every member of parentRole read every conversation. Defaults to false.
     */
    readonly ownerRoleToParentRole: boolean;
    /**
     * The custom role a monitoring deploy uses where it still creates an account-level object (deployTimeAdminUses),
     * instead of adminRole. The bootstrap creates it, grants it only those account privileges and grants it to
     * deployUser. Undefined: those objects are created by adminRole (a stack that deploys `all`).
     */
    readonly deployAdminRole: string | undefined;
    /**
     * The role of a least-privilege preview identity (a pull request's credentialed preview): every Snowflake
     * provider connects with it instead of the owner and admin roles. Set only by the preview job
     * (`pulumi config set` in its checkout); refused by anything but a preview.
     */
    readonly previewRole: string | undefined;
    /** Per-agent service level objectives (lib/config/slo.ts); undefined or empty: none, and the burn-rate rules are off. */
    readonly slos: readonly SloEntry[] | undefined;
}

/**
 * Which part of Wallmonitor a stack declares. `all`: one identity (adminRole) bootstraps and deploys, as on a
 * trial account. `bootstrap`: only the account-level objects (the database and warehouse, the roles and their
 * grants, the account privileges, the SNOWFLAKE.* roles, the grants on agents), run rarely by an administrator
 * under its own approval. `monitoring`: everything inside the schema, deployed routinely by wallmonitor:deployUser
 * with the owner role only. The account objects (database, warehouse, roles) are retained on delete, so moving
 * them between stacks or changing this key never drops one in Snowflake; grants follow the config.
 */
export const DEPLOYMENTS = ["all", "bootstrap", "monitoring"] as const;
export type Deployment = (typeof DEPLOYMENTS)[number];

/** System roles a routine (monitoring) deploy must not hold: each can change every object and grant of the account. */
export const ACCOUNT_ADMIN_ROLES = ["ACCOUNTADMIN", "SECURITYADMIN", "ORGADMIN", "USERADMIN", "GLOBALORGADMIN"] as const;

/** A database or a schema that holds Cortex Agents. */
export interface AgentLocation {
    readonly database: string;
    /** Undefined: every schema of the database. */
    readonly schema?: string;
}

const orgError = (key: string, message: string) => new ConfigError(key, message);

/**
 * Validates the stack's raw values, with `schema`'s defaults behind them; throws ConfigError on
 * the first bad key. `schema` is the project's Pulumi.yaml but for tests of the derivation itself.
 */
export function parseConfig(rawSource: RawConfigSource, schema: ConfigSchema = PROJECT_CONFIG_SCHEMA): WallmonitorConfig {
    const source = withSchemaDefaults(rawSource, schema);
    const read = new Reader<keyof WallmonitorConfig>(source);
    const config: WallmonitorConfig = {
        database: read.identifier("database"),
        createDatabase: read.boolean("createDatabase"),
        schema: read.identifier("schema"),
        warehouse: read.identifier("warehouse"),
        createWarehouse: read.boolean("createWarehouse"),
        warehouseSize: read.oneOf("warehouseSize", WAREHOUSE_SIZES),
        warehouseAutoSuspendSeconds: read.integer("warehouseAutoSuspendSeconds", 60, 86400),
        ownerRole: read.identifier("ownerRole"),
        viewerRole: read.identifier("viewerRole"),
        parentRole: read.identifier("parentRole"),
        adminRole: read.identifier("adminRole"),
        refreshIntervalMinutes: read.integer("refreshIntervalMinutes", 1, 1440),
        realtimeWindowHours: read.integer("realtimeWindowHours", 1, 168),
        historyDays: read.integer("historyDays", 1, 90),
        rollupRetentionDays: read.integer("rollupRetentionDays", 30, 3650),
        dynamicTableTargetLagMinutes: read.integer("dynamicTableTargetLagMinutes", 1, 10080),
        fullRefreshTargetLagMinutes: read.integer("fullRefreshTargetLagMinutes", 0, 10080),
        ingestOverlapMinutes: read.integer("ingestOverlapMinutes", 0, 1440),
        initialLookbackHours: read.integer("initialLookbackHours", 1, 2160),
        ingestPath: read.choice("ingestPath", INGEST_PATHS),
        agentIncludePattern: read.pattern("agentIncludePattern"),
        agentExcludePattern: read.optional("agentExcludePattern", (key) => read.pattern(key)),
        storeConversationText: read.boolean("storeConversationText"),
        taskSize: read.oneOf("taskSize", WAREHOUSE_SIZES),
        suspendTaskAfterFailures: read.integer("suspendTaskAfterFailures", 1, 100),
        comment: read.comment("comment"),
        dashboardSource: read.choice("dashboardSource", DASHBOARD_SOURCES),
        gitRepositoryUrl: read.repositoryUrl("gitRepositoryUrl"),
        gitRef: read.matching("gitRef", GIT_REF_PATTERN,
            "branches/<branch>, tags/<tag> or commits/<full 40-hex SHA> (for example branches/main or tags/v1.2.0)"),
        gitCommit: read.optional("gitCommit", (key) => read.matching(key, GIT_COMMIT_PATTERN,
            "a full commit SHA (40 lower-case hex digits, as `git rev-parse HEAD` prints it)")),
        gitAppPath: read.matching("gitAppPath", GIT_APP_PATH_PATTERN,
            "a folder in the repository made of letters, digits, _ . - and / without .. (for example streamlit, or . for the root)"),
        gitAllowedPrefixes: read.urlPrefixes("gitAllowedPrefixes"),
        gitUsername: read.optional("gitUsername", (key) => read.matching(key, GIT_USERNAME_PATTERN,
            "a Git user name of letters, digits and . _ @ + - (at most 255)")),
        accountRole: read.choice("accountRole", ACCOUNT_ROLES),
        orgShareName: read.identifier("orgShareName"),
        orgConsumerAccounts: parseConsumerAccounts(read.text("orgConsumerAccounts"), orgError),
        orgShareRecentHistory: read.boolean("orgShareRecentHistory"),
        orgRegion: read.optional("orgRegion", (key) => read.matching(key, REGION_PATTERN,
            "a Snowflake region as SELECT CURRENT_REGION() prints it, without the region group (for example AWS_EU_WEST_1)")),
        orgMembers: parseMembers(read.text("orgMembers"), read.identifier("orgShareName"), orgError),
        orgDatabasePrefix: read.identifier("orgDatabasePrefix"),
        orgUserIdentity: read.choice("orgUserIdentity", ORG_USER_IDENTITIES),
        ...parseCostConfig(source),
        ...parseOwnCostConfig(source),
        alertingEnabled: read.boolean("alertingEnabled"),
        alertScheduleMinutes: read.integer("alertScheduleMinutes", 1, 1440),
        alertCooldownMinutes: read.integer("alertCooldownMinutes", 0, 1440),
        alertRules: read.parsed("alertRules", (key, raw) => (raw === undefined ? undefined : parseAlertRules(key, raw)), AlertConfigError),
        alertEmailRecipients: read.parsed("alertEmailRecipients", parseEmailRecipients, AlertConfigError),
        alertWebhooks: read.parsed("alertWebhooks", parseWebhooks, AlertConfigError),
        acceptReadableBindValues: read.boolean("acceptReadableBindValues"),
        allowColumnChanges: parseAllowColumnChanges(read.text("allowColumnChanges"), orgError),
        agentLocations: parseAgentLocations(read.text("agentLocations")),
        taskErrorIntegration: read.optional("taskErrorIntegration", (key) => read.identifier(key, "TASK_ERRORS_SNS")),
        readUnredactedEvents: read.boolean("readUnredactedEvents"),
        deployment: read.choice("deployment", DEPLOYMENTS),
        deployUser: read.optional("deployUser", (key) => read.identifier(key, "WALLMONITOR_DEPLOY")),
        ownerRoleToParentRole: read.boolean("ownerRoleToParentRole"),
        deployAdminRole: read.optional("deployAdminRole", (key) => read.identifier(key, "SFE_WALLMONITOR_DEPLOY_ADMIN")),
        previewRole: read.optional("previewRole", (key) => read.identifier(key, "SFE_WALLMONITOR_PREVIEW")),
        slos: read.parsed("slos", (_key, raw) => parseSlos(raw), SloConfigError),
    };
    checkDeployment(config);
    checkOrgSettings(config, orgError);
    checkIngestPath(config);
    return checkCombinations(checkDashboardSource(config));
}

const AGENT_LOCATIONS_FIX = "Set wallmonitor:agentLocations to a JSON list of the databases or schemas that hold " +
    "the stack's Cortex Agents, for example [\"SNOWFLAKE_INTELLIGENCE.AGENTS\", \"SALES_DB\"] " +
    "(`pulumi config set wallmonitor:agentLocations '[\"SNOWFLAKE_INTELLIGENCE.AGENTS\"]'`)";

/**
 * `wallmonitor:agentLocations`: a JSON list (or a comma-separated list) of `DATABASE` or
 * `DATABASE.SCHEMA`, unquoted UPPERCASE identifiers. A schema whose database is listed too is
 * refused: Snowflake applies only the schema-level future grants where both exist
 * (https://docs.snowflake.com/en/sql-reference/sql/grant-privilege), so the pair says less than it seems to.
 */
export function parseAgentLocations(raw: string | undefined): AgentLocation[] | undefined {
    if (raw === undefined || raw.trim() === "") {
        return undefined;
    }
    let entries: unknown;
    if (raw.trim().startsWith("[")) {
        try {
            entries = JSON.parse(raw);
        } catch {
            throw new ConfigError("agentLocations", `is not a JSON list. ${AGENT_LOCATIONS_FIX}.`);
        }
    } else {
        entries = raw.split(",").map((entry) => entry.trim());
    }
    if (!Array.isArray(entries) || entries.length === 0) {
        throw new ConfigError("agentLocations", `must list at least one database or schema. ${AGENT_LOCATIONS_FIX}, or unset it.`);
    }
    const locations = entries.map((entry) => {
        const parts = typeof entry === "string" ? entry.split(".") : [];
        if (parts.length < 1 || parts.length > 2 || !parts.every((part) => IDENTIFIER_PATTERN.test(part))) {
            throw new ConfigError("agentLocations", `${JSON.stringify(entry)} is not DATABASE or DATABASE.SCHEMA of unquoted ` +
                `UPPERCASE identifiers (letters A-Z, digits, _ and $). ${AGENT_LOCATIONS_FIX}.`);
        }
        return parts.length === 1 ? { database: parts[0] } : { database: parts[0], schema: parts[1] };
    });
    const names = locations.map(agentLocationName);
    const repeated = names.find((name, index) => names.indexOf(name) !== index);
    if (repeated !== undefined) {
        throw new ConfigError("agentLocations", `lists ${repeated} twice; list each database or schema once.`);
    }
    const nested = locations.find((location) => location.schema !== undefined && names.includes(location.database));
    if (nested !== undefined) {
        throw new ConfigError("agentLocations", `lists both ${nested.database} and its schema ${agentLocationName(nested)}; ` +
            "Snowflake applies only the schema's future grants there, so list either the database (every schema) or its schemas.");
    }
    return locations;
}

/** `DATABASE` or `DATABASE.SCHEMA`. */
export function agentLocationName(location: AgentLocation): string {
    return location.schema === undefined ? location.database : `${location.database}.${location.schema}`;
}

/**
 * The per-agent path reads only agents the owner role holds MONITOR on, which it gets in the
 * configured agent locations; without any it would ingest nothing, silently. `auto` falls back
 * to that path, so it needs them too.
 */
function checkIngestPath(config: WallmonitorConfig): void {
    if (config.ingestPath !== "event_table" && config.agentLocations === undefined) {
        throw new ConfigError("agentLocations", `is required when wallmonitor:ingestPath is ${config.ingestPath}: the ` +
            `${config.ingestPath === "auto" ? "fallback to the " : ""}per-agent path reads only agents the owner role holds ` +
            `MONITOR on, and without locations it is granted none, so it would ingest nothing. ${AGENT_LOCATIONS_FIX}, ` +
            "or set wallmonitor:ingestPath to event_table.");
    }
}

/** `https://host/owner/` for `https://host/owner/repo.git`; the host alone for a shorter URL. */
export function defaultAllowedPrefix(repositoryUrl: string): string {
    const url = new URL(repositoryUrl);
    const [owner, ...rest] = url.pathname.split("/").filter((segment) => segment !== "");
    return rest.length > 0 ? `${url.origin}/${owner}/` : `${url.origin}/`;
}

function checkDashboardSource(config: WallmonitorConfig): WallmonitorConfig {
    if (config.dashboardSource === "git" && config.gitRepositoryUrl === undefined) {
        throw new ConfigError("gitRepositoryUrl", "is required when wallmonitor:dashboardSource is git: set it to the " +
            "repository's https URL, or set dashboardSource to folder to upload this repository's streamlit/ folder.");
    }
    if (config.gitCommit !== undefined && !config.gitRef.startsWith("branches/")) {
        throw new ConfigError("gitCommit", `pins a commit of a branch, but wallmonitor:gitRef is ${config.gitRef}, which ` +
            "already names what to deploy; remove gitCommit, or set gitRef to the branch.");
    }
    if (config.gitRepositoryUrl === undefined) {
        return config;
    }
    const gitAllowedPrefixes = config.gitAllowedPrefixes ?? [defaultAllowedPrefix(config.gitRepositoryUrl)];
    if (!gitAllowedPrefixes.some((prefix) => config.gitRepositoryUrl!.startsWith(prefix))) {
        throw new ConfigError("gitAllowedPrefixes", `none of ${gitAllowedPrefixes.join(", ")} is a prefix of ` +
            `wallmonitor:gitRepositoryUrl ${config.gitRepositoryUrl}, so Snowflake could not reach the repository; ` +
            "add its owner's URL (for example https://github.com/acme/).");
    }
    return { ...config, gitAllowedPrefixes };
}

function checkCombinations(config: WallmonitorConfig): WallmonitorConfig {
    if (config.ownerRole === config.viewerRole) {
        throw new ConfigError("viewerRole", `must differ from ownerRole (both are ${config.ownerRole}); ` +
            "the viewer must not inherit the owner's write privileges.");
    }
    for (const key of ["ownerRole", "viewerRole"] as const) {
        if (config[key] === config.parentRole) {
            throw new ConfigError("parentRole", `must differ from ${key} (both are ${config.parentRole}); ` +
                "a role cannot be granted to itself.");
        }
    }
    if (config.readUnredactedEvents && !config.storeConversationText) {
        throw new ConfigError("readUnredactedEvents", "is true but wallmonitor:storeConversationText is false: the grant " +
            "would let the owner role read conversation text that Wallmonitor never stores. Set storeConversationText " +
            "to true as well, or remove readUnredactedEvents.");
    }
    if (config.initialLookbackHours > config.historyDays * 24) {
        throw new ConfigError("initialLookbackHours", `${config.initialLookbackHours} h reaches past the history kept ` +
            `(historyDays ${config.historyDays} = ${config.historyDays * 24} h); ` +
            "lower initialLookbackHours or raise historyDays.");
    }
    return config;
}

/** What a monitoring stack still creates at account level, each with the account privileges it needs. */
export interface DeployTimeAdminUse {
    /** The configuration that needs it. */
    readonly what: string;
    readonly accountPrivileges: readonly string[];
}

/**
 * What a monitoring stack still runs with an admin role, besides the bootstrap: these create account-level
 * objects (integrations, a share, databases from shares) inside the same dynamic resources as the schema
 * objects that name them. Privileges: https://docs.snowflake.com/en/sql-reference/sql/create-integration,
 * https://docs.snowflake.com/en/sql-reference/sql/create-share, https://docs.snowflake.com/en/sql-reference/sql/create-database.
 */
export function deployTimeAdminUses(config: WallmonitorConfig): DeployTimeAdminUse[] {
    const uses: DeployTimeAdminUse[] = [];
    if (config.dashboardSource === "git") {
        uses.push({ what: "dashboardSource git (the Git API integration)", accountPrivileges: ["CREATE INTEGRATION"] });
    }
    if (config.alertingEnabled && (config.alertEmailRecipients !== undefined || config.alertWebhooks !== undefined)) {
        uses.push({ what: "alerting's notification integrations", accountPrivileges: ["CREATE INTEGRATION"] });
    }
    if (config.accountRole === "member") {
        uses.push({ what: "accountRole member (the organisation share)", accountPrivileges: ["CREATE SHARE"] });
    }
    if (config.accountRole === "central") {
        uses.push({ what: "accountRole central (databases from the members' shares)", accountPrivileges: ["IMPORT SHARE", "CREATE DATABASE"] });
    }
    return uses;
}

/** The account privileges wallmonitor:deployAdminRole receives from the bootstrap: exactly what deployTimeAdminUses lists. */
export function deployAdminPrivileges(config: WallmonitorConfig): string[] {
    return [...new Set(deployTimeAdminUses(config).flatMap((use) => use.accountPrivileges))];
}

/** The role the monitoring part creates account-level objects with: deployAdminRole where set, else adminRole. */
export function monitoringAdminRole(config: WallmonitorConfig): string {
    return config.deployAdminRole ?? config.adminRole;
}

/**
 * A monitoring stack is deployed routinely, by a key that pull requests never see but that every merge uses:
 * it holds the owner role and, where deployTimeAdminUses lists something, wallmonitor:deployAdminRole with just
 * those privileges; never a role that can change every object and grant of the account.
 */
function checkDeployment(config: WallmonitorConfig): void {
    const adminRoles: readonly string[] = ACCOUNT_ADMIN_ROLES;
    if (config.deployAdminRole !== undefined) {
        if (adminRoles.includes(config.deployAdminRole)) {
            throw new ConfigError("deployAdminRole", `is ${config.deployAdminRole}, a system role that can change every object ` +
                "and grant of the account; name a custom role (for example SFE_WALLMONITOR_DEPLOY_ADMIN), which the bootstrap " +
                "creates with only the privileges the monitoring stack needs.");
        }
        for (const key of ["ownerRole", "viewerRole", "parentRole", "adminRole"] as const) {
            if (config[key] === config.deployAdminRole) {
                throw new ConfigError("deployAdminRole", `must differ from ${key} (both are ${config[key]}); ` +
                    "it is a role of its own holding only the account privileges the monitoring stack needs.");
            }
        }
        if (deployTimeAdminUses(config).length === 0) {
            throw new ConfigError("deployAdminRole", `is set, but this stack creates no account-level object at deploy time ` +
                "(no Git dashboard, alert integration, share or shared database), so the role would hold nothing; remove it.");
        }
    }
    if (config.deployment !== "monitoring") {
        return;
    }
    const uses = deployTimeAdminUses(config);
    if (uses.length > 0 && config.deployAdminRole === undefined) {
        throw new ConfigError("deployAdminRole", `is required with wallmonitor:deployment monitoring: this stack still creates ` +
            `account-level objects for ${uses.map((use) => `${use.what}, which needs ${use.accountPrivileges.join(" and ")}`).join("; ")}. ` +
            "A routine deploy must not hold wallmonitor:adminRole. Set deployAdminRole to a custom role " +
            "(`pulumi config set wallmonitor:deployAdminRole SFE_WALLMONITOR_DEPLOY_ADMIN`); the bootstrap creates it with " +
            "exactly those privileges and grants it to wallmonitor:deployUser.");
    }
}

/**
 * The user the owner role is granted to: wallmonitor:deployUser, else the connection's user. A stack that
 * bootstraps for another identity (deployment bootstrap) must name it: its own user is the administrator.
 */
export function resolveDeployUser(config: WallmonitorConfig, connection: ConnectionConfig): string {
    if (config.deployUser !== undefined) {
        return config.deployUser;
    }
    if (config.deployment === "bootstrap") {
        throw new ConfigError("deployUser", "is required with wallmonitor:deployment bootstrap: the owner role is granted to " +
            "the user that deploys the monitoring stack, not to the administrator running the bootstrap. Set it with " +
            "`pulumi config set wallmonitor:deployUser WALLMONITOR_DEPLOY`.");
    }
    if (connection.user === undefined || !IDENTIFIER_PATTERN.test(connection.user)) {
        throw new ConfigError("deployUser", `is not set and snowflake:user is ${connection.user === undefined ? "not set either" :
            `"${connection.user}", not an unquoted UPPERCASE identifier`}: the owner role is granted to this user. Set it with ` +
            "`pulumi config set wallmonitor:deployUser WALLMONITOR_DEPLOY`.");
    }
    return connection.user;
}

/**
 * The other user that holds the owner role on a bootstrap stack: the administrator running it. The observability
 * probes (provider/aiObservabilityAccess.ts) switch its session to the owner role, and USE ROLE needs the role granted
 * to the user (https://docs.snowflake.com/en/sql-reference/sql/use-role). It adds no reach: ACCOUNTADMIN reads the
 * event table directly (https://docs.snowflake.com/en/sql-reference/local/ai_observability_events). Undefined elsewhere.
 */
export function resolveBootstrapUser(config: WallmonitorConfig, connection: ConnectionConfig): string | undefined {
    if (config.deployment !== "bootstrap") {
        return undefined;
    }
    if (connection.user === undefined || !IDENTIFIER_PATTERN.test(connection.user)) {
        throw new ConfigError("deployment", "is bootstrap, which needs the administrator's user in snowflake:user (an unquoted " +
            "UPPERCASE name): the observability probes switch it to the owner role, so it is granted that role too. " +
            "Set it with `pulumi config set snowflake:user WALLMONITOR_ADMIN`.");
    }
    return connection.user === resolveDeployUser(config, connection) ? undefined : connection.user;
}

/** Reads the stack's config once; call it before declaring any resource. */
export function loadConfig(): WallmonitorConfig {
    const config = new pulumi.Config(CONFIG_NAMESPACE);
    return checkPreviewRole(parseConfig({ get: (key) => config.get(key) }), pulumi.runtime.isDryRun());
}

/** The preview identity reads; a deployment with its role would half-apply whatever it may create. */
export function checkPreviewRole(config: WallmonitorConfig, dryRun: boolean): WallmonitorConfig {
    if (config.previewRole !== undefined && !dryRun) {
        throw new ConfigError("previewRole", `is ${config.previewRole}, the read-only preview identity's role, and is for ` +
            "`pulumi preview` only; remove it (`pulumi config rm wallmonitor:previewRole`) before `pulumi up` or `destroy`.");
    }
    return config;
}

/**
 * The Git token, `wallmonitor:gitToken` (set it with `pulumi config set --secret`), as a Pulumi
 * secret; undefined when unset or when the dashboard is not built from Git.
 */
export function loadGitToken(config: WallmonitorConfig): pulumi.Output<string> | undefined {
    const token = new pulumi.Config(CONFIG_NAMESPACE).getSecret("gitToken");
    checkGitToken(config, token !== undefined);
    return config.dashboardSource === "git" ? token : undefined;
}

/** A token is stored with its user name: a Git source with a token needs wallmonitor:gitUsername. */
export function checkGitToken(config: WallmonitorConfig, tokenSet: boolean): void {
    if (tokenSet && config.dashboardSource === "git" && config.gitUsername === undefined) {
        throw new ConfigError("gitUsername", "is required with wallmonitor:gitToken: the Snowflake secret holds the token " +
            "with the user name it belongs to (for GitHub, the account that owns the token). " +
            "Set it with `pulumi config set wallmonitor:gitUsername <name>`.");
    }
}

/**
 * The organisation's identity key (`wallmonitor:orgIdentityKey`, set with `pulumi config set
 * --secret`) as a Pulumi secret; undefined where the stack needs none (not a member, or users named).
 */
export function loadOrgIdentityKey(config: WallmonitorConfig, source: RawConfigSource = secretSource())
    : pulumi.Output<string> | undefined {
    const raw = source.get(ORG_IDENTITY_KEY);
    const value = raw === "" ? undefined : raw;
    checkOrgIdentityKey(config, value, orgError);
    return config.accountRole === "member" && config.orgUserIdentity !== "named" && value !== undefined ? pulumi.secret(value) : undefined;
}

/** The alert rules in force: the configured ones, else the built-in defaults. */
export function alertRuleSet(config: WallmonitorConfig): AlertRuleSet {
    return config.alertRules ?? parseAlertRules("alertRules", undefined);
}

/**
 * Each webhook's URL (safe to show) and credential (a Pulumi secret), from the secret config key
 * it names. Checked here, before any resource is declared: a URL Snowflake would refuse (another
 * host) fails the preview with a ConfigError naming the key, never repeating the value.
 */
export function loadAlertWebhookTargets(config: WallmonitorConfig, source: RawConfigSource = pulumiSource())
    : Record<string, { url: string; secret: pulumi.Output<string> }> {
    if (!config.alertingEnabled || config.alertWebhooks === undefined) {
        return {};
    }
    return Object.fromEntries(config.alertWebhooks.map((webhook) => {
        const value = source.get(webhook.secretKey);
        if (value === undefined || value === "") {
            throw new ConfigError(webhook.secretKey, `holds the secret of the ${webhook.kind} webhook ${webhook.name} and is not set; ` +
                `set it with \`pulumi config set --secret ${CONFIG_NAMESPACE}:${webhook.secretKey}\`.`);
        }
        let target: WebhookTarget;
        try {
            target = webhookTarget(webhook.secretKey, webhook.kind, value);
        } catch (error) {
            throw error instanceof AlertConfigError ? new ConfigError(webhook.secretKey, error.message) : error;
        }
        return [webhook.name, { url: target.url, secret: pulumi.secret(target.secret) }];
    }));
}

/** Raw values of secret keys, read without pulumi.Config's "use getSecret" warning; wrapped in pulumi.secret by the caller. */
function secretSource(): RawConfigSource {
    return { get: (key) => pulumi.runtime.getConfig(`${CONFIG_NAMESPACE}:${key}`) };
}

function pulumiSource(): RawConfigSource {
    const config = new pulumi.Config(CONFIG_NAMESPACE);
    return { get: (key) => config.get(key) };
}

/** Connection settings for the explicit Snowflake providers; secrets stay Pulumi secrets. */
export interface ConnectionConfig {
    readonly organizationName?: string;
    readonly accountName?: string;
    readonly user?: string;
    readonly authenticator?: string;
    readonly privateKey?: pulumi.Output<string>;
    readonly privateKeyPassphrase?: pulumi.Output<string>;
    readonly password?: pulumi.Output<string>;
    /** The preview identity's role (wallmonitor:previewRole): every explicit Snowflake provider connects with it. */
    readonly previewRole?: string;
}

/**
 * Reads the `snowflake:` namespace (the same keys the Snowflake provider documents). Unset keys
 * fall through to the provider's own SNOWFLAKE_* environment variables.
 */
export function loadConnection(): ConnectionConfig {
    const config = new pulumi.Config("snowflake");
    return {
        organizationName: config.get("organizationName"),
        accountName: config.get("accountName"),
        user: config.get("user"),
        authenticator: config.get("authenticator"),
        privateKey: config.getSecret("privateKey"),
        privateKeyPassphrase: config.getSecret("privateKeyPassphrase"),
        password: config.getSecret("password"),
    };
}

/**
 * The configuration of a stack that sets nothing: Pulumi.yaml's defaults, parsed. Last in the
 * module, as parsing uses the constants above.
 */
export const DEFAULTS: WallmonitorConfig = parseConfig({ get: () => undefined });

/**
 * The target lag, in minutes, of a dynamic table refreshing in `refreshMode`. A FULL refresh re-runs
 * the whole query over its base (https://docs.snowflake.com/en/user-guide/dynamic-tables/refresh-modes):
 * for DT_AGENT_METRICS_RECENT every event of the history kept, so fullRefreshTargetLagMinutes lets a
 * large deployment refresh it less often than the incremental tables, whose refreshes follow the
 * new events only.
 */
export function dynamicTableLagMinutes(config: WallmonitorConfig, refreshMode: string): number {
    return refreshMode === "FULL" && config.fullRefreshTargetLagMinutes > 0
        ? config.fullRefreshTargetLagMinutes : config.dynamicTableTargetLagMinutes;
}
