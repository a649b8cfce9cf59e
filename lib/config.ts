import * as pulumi from "@pulumi/pulumi";

/**
 * The one place that reads and validates Wallmonitor's stack configuration.
 *
 * Every key is checked before a single resource is declared, and a bad value fails the
 * preview with a message that names the key, what was given and what is accepted. The
 * defaults here are the same as the schema in Pulumi.yaml (a test keeps them in step).
 */

export const CONFIG_NAMESPACE = "wallmonitor";

export const WAREHOUSE_SIZES = [
    "XSMALL", "SMALL", "MEDIUM", "LARGE", "XLARGE", "XXLARGE", "XXXLARGE", "X4LARGE", "X5LARGE", "X6LARGE",
] as const;
export type WarehouseSize = (typeof WAREHOUSE_SIZES)[number];

/** Snowflake's managed-task sizes (USER_TASK_MANAGED_INITIAL_WAREHOUSE_SIZE) are the same names. */
export type TaskSize = WarehouseSize;

export interface WallmonitorConfig {
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
    readonly dynamicTableTargetLagMinutes: number;
    /** How far before its watermark each ingestion cycle re-reads an agent, to catch late events. */
    readonly ingestOverlapMinutes: number;
    /** How far back the first cycle reads an agent that has no watermark yet. */
    readonly initialLookbackHours: number;
    /** SQL LIKE pattern (case-insensitive) matched against DATABASE.SCHEMA.AGENT. */
    readonly agentIncludePattern: string;
    /** SQL LIKE pattern excluded from discovery; undefined excludes nothing. */
    readonly agentExcludePattern: string | undefined;
    /** Store the user's question, the agent's answer and raw attributes. */
    readonly storeConversationText: boolean;
    readonly taskSize: TaskSize;
    readonly suspendTaskAfterFailures: number;
    /** Comment put on every object that takes one. */
    readonly comment: string;
}

/** The defaults, identical to those in Pulumi.yaml's config schema. */
export const DEFAULTS: WallmonitorConfig = {
    database: "SNOWFLAKE_EXAMPLE",
    createDatabase: true,
    schema: "WALLMONITOR",
    warehouse: "SFE_WALLMONITOR_WH",
    createWarehouse: true,
    warehouseSize: "XSMALL",
    warehouseAutoSuspendSeconds: 60,
    ownerRole: "SFE_WALLMONITOR_OWNER",
    viewerRole: "SFE_WALLMONITOR_VIEWER",
    parentRole: "SYSADMIN",
    adminRole: "ACCOUNTADMIN",
    refreshIntervalMinutes: 10,
    realtimeWindowHours: 24,
    historyDays: 30,
    dynamicTableTargetLagMinutes: 30,
    ingestOverlapMinutes: 5,
    initialLookbackHours: 24,
    agentIncludePattern: "%",
    agentExcludePattern: undefined,
    storeConversationText: false,
    taskSize: "XSMALL",
    suspendTaskAfterFailures: 3,
    comment: "Managed by Wallmonitor (Pulumi)",
};

/** A stack configuration value that cannot be used; the message names the key and the fix. */
export class ConfigError extends Error {
    constructor(readonly key: string, message: string) {
        super(`Invalid config ${CONFIG_NAMESPACE}:${key}: ${message}`);
        this.name = "ConfigError";
    }
}

/** Unquoted Snowflake identifier, upper case so the name in Snowflake is exactly the name in config. */
export const IDENTIFIER_PATTERN = /^[A-Z_][A-Z0-9_$]{0,254}$/;
/** LIKE patterns: identifier characters, dots and the wildcards; no quotes, spaces or semicolons. */
export const AGENT_PATTERN = /^[A-Za-z0-9_$.%-]{1,767}$/;
const COMMENT_PATTERN = /^[^'\\;\n\r]{0,256}$/;

/** Where raw values come from: Pulumi config in a program, a plain map in tests. */
export interface RawConfigSource {
    get(key: string): string | undefined;
}

class Reader {
    constructor(private readonly source: RawConfigSource) {}

    private raw(key: keyof WallmonitorConfig): string | undefined {
        const value = this.source.get(key);
        return value === undefined || value === "" ? undefined : value;
    }

    identifier(key: keyof WallmonitorConfig, fallback: string): string {
        const value = this.raw(key) ?? fallback;
        if (!IDENTIFIER_PATTERN.test(value)) {
            throw new ConfigError(key, `"${value}" is not an unquoted UPPERCASE Snowflake identifier. ` +
                `Use letters A-Z, digits, _ and $, starting with a letter or _ (for example ${fallback}).`);
        }
        return value;
    }

    boolean(key: keyof WallmonitorConfig, fallback: boolean): boolean {
        const value = this.raw(key);
        if (value === undefined) {
            return fallback;
        }
        if (value !== "true" && value !== "false") {
            throw new ConfigError(key, `"${value}" is not a boolean. Accepted values: true, false.`);
        }
        return value === "true";
    }

    integer(key: keyof WallmonitorConfig, fallback: number, min: number, max: number): number {
        const value = this.raw(key);
        if (value === undefined) {
            return fallback;
        }
        const parsed = Number(value);
        if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
            throw new ConfigError(key, `"${value}" is not a whole number from ${min} to ${max}.`);
        }
        return parsed;
    }

    oneOf<T extends string>(key: keyof WallmonitorConfig, fallback: T, allowed: readonly T[]): T {
        const value = (this.raw(key) ?? fallback).toUpperCase().replace(/-/g, "");
        const match = allowed.find((candidate) => candidate === value);
        if (match === undefined) {
            throw new ConfigError(key, `"${this.raw(key)}" is not one of the accepted values: ${allowed.join(", ")}.`);
        }
        return match;
    }

    pattern(key: keyof WallmonitorConfig, fallback: string | undefined): string | undefined {
        const value = this.raw(key) ?? fallback;
        if (value !== undefined && !AGENT_PATTERN.test(value)) {
            throw new ConfigError(key, `"${value}" is not an agent pattern. Use a SQL LIKE pattern over ` +
                `DATABASE.SCHEMA.AGENT made of letters, digits, _ $ . - and the wildcards % and _ ` +
                `(for example "SALES_DB.%"); quotes, spaces and semicolons are not allowed.`);
        }
        return value;
    }

    comment(key: keyof WallmonitorConfig, fallback: string): string {
        const value = this.raw(key) ?? fallback;
        if (!COMMENT_PATTERN.test(value)) {
            throw new ConfigError(key, "must be at most 256 characters on one line, without quotes, backslashes or semicolons.");
        }
        return value;
    }
}

/** Validates raw values and applies defaults; throws ConfigError on the first bad key. */
export function parseConfig(source: RawConfigSource): WallmonitorConfig {
    const read = new Reader(source);
    const d = DEFAULTS;
    const config: WallmonitorConfig = {
        database: read.identifier("database", d.database),
        createDatabase: read.boolean("createDatabase", d.createDatabase),
        schema: read.identifier("schema", d.schema),
        warehouse: read.identifier("warehouse", d.warehouse),
        createWarehouse: read.boolean("createWarehouse", d.createWarehouse),
        warehouseSize: read.oneOf("warehouseSize", d.warehouseSize, WAREHOUSE_SIZES),
        warehouseAutoSuspendSeconds: read.integer("warehouseAutoSuspendSeconds", d.warehouseAutoSuspendSeconds, 60, 86400),
        ownerRole: read.identifier("ownerRole", d.ownerRole),
        viewerRole: read.identifier("viewerRole", d.viewerRole),
        parentRole: read.identifier("parentRole", d.parentRole),
        adminRole: read.identifier("adminRole", d.adminRole),
        refreshIntervalMinutes: read.integer("refreshIntervalMinutes", d.refreshIntervalMinutes, 1, 1440),
        realtimeWindowHours: read.integer("realtimeWindowHours", d.realtimeWindowHours, 1, 168),
        historyDays: read.integer("historyDays", d.historyDays, 1, 90),
        dynamicTableTargetLagMinutes: read.integer("dynamicTableTargetLagMinutes", d.dynamicTableTargetLagMinutes, 1, 10080),
        ingestOverlapMinutes: read.integer("ingestOverlapMinutes", d.ingestOverlapMinutes, 0, 1440),
        initialLookbackHours: read.integer("initialLookbackHours", d.initialLookbackHours, 1, 2160),
        agentIncludePattern: read.pattern("agentIncludePattern", d.agentIncludePattern) ?? "%",
        agentExcludePattern: read.pattern("agentExcludePattern", d.agentExcludePattern),
        storeConversationText: read.boolean("storeConversationText", d.storeConversationText),
        taskSize: read.oneOf("taskSize", d.taskSize, WAREHOUSE_SIZES),
        suspendTaskAfterFailures: read.integer("suspendTaskAfterFailures", d.suspendTaskAfterFailures, 1, 100),
        comment: read.comment("comment", d.comment),
    };
    return checkCombinations(config);
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
    if (config.initialLookbackHours > config.historyDays * 24) {
        throw new ConfigError("initialLookbackHours", `${config.initialLookbackHours} h reaches past the history kept ` +
            `(historyDays ${config.historyDays} = ${config.historyDays * 24} h); ` +
            "lower initialLookbackHours or raise historyDays.");
    }
    return config;
}

/** Reads the stack's config once; call it before declaring any resource. */
export function loadConfig(): WallmonitorConfig {
    const config = new pulumi.Config(CONFIG_NAMESPACE);
    return parseConfig({ get: (key) => config.get(key) });
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
