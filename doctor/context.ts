import { parseConfig, WallmonitorConfig } from "../lib/config/stack";
import { buildSqlCatalog, SqlCatalog } from "../lib/sql/catalog";
import { buildOffline, OfflineBuild, readStackConfig } from "../plan/offline";
import { Analysis, analyse } from "../privileges/check";
import { collect } from "../privileges/collect";
import { ConnectionLimits, ConnectionSettings, DEFAULT_LIMITS, resolveSettings, withSession } from "../provider/connection";
import { ReadOnlySession } from "./readOnly";
import type { Finding } from "./report";
import { doctorStatement } from "./sql";

/**
 * What every check reads: the stack's validated config, its offline build (the resources
 * `pulumi up` would create), the privilege model's analysis of it, its rendered SQL catalog, and
 * read-only sessions on the account with the stack's own credentials.
 */
export interface DoctorContext {
    readonly stack: string;
    readonly beforeDeploy: boolean;
    readonly config: WallmonitorConfig;
    readonly build: OfflineBuild;
    readonly analysis: Analysis;
    readonly catalog: SqlCatalog;
    /** Runs `body` in a read-only session as `role` (the login role when undefined), with no secondary roles. */
    as<T>(role: string | undefined, body: (session: ReadOnlySession) => Promise<T>): Promise<T>;
    /** Whether a role exists on the account (checked once, by the account check). */
    readonly existingRoles: Set<string>;
}

/** The stack's config as `namespace:key` -> value, without encrypted values (those come from the environment). */
export function plainStackConfig(stack: string): Record<string, string> {
    return withoutEncrypted(readStackConfig(stack));
}

/** `pulumi config set --secret` stores {"secure": ...}, which only the Pulumi CLI can decrypt. */
function withoutEncrypted(raw: Readonly<Record<string, string>>): Record<string, string> {
    return Object.fromEntries(Object.entries(raw).filter(([, value]) => !/^\{"secure":/.test(value)));
}

export function stackConfig(raw: Readonly<Record<string, string>>): WallmonitorConfig {
    return parseConfig({ get: (key: string) => raw[`wallmonitor:${key}`] });
}

/**
 * The connection the dynamic provider would open for this stack: its `snowflake:` config, then
 * the environment. A credential set with `pulumi config set --secret` is encrypted in the stack
 * file and only the Pulumi CLI decrypts it, so the doctor takes it from the environment and says so.
 */
export function connectionSettings(stack: string, env: NodeJS.ProcessEnv): ConnectionSettings {
    return settingsFrom(readStackConfig(stack), stack, env);
}

/** `raw`: the stack file's config as readStackConfig returns it, encrypted values included. */
export function settingsFrom(raw: Readonly<Record<string, string>>, stack: string, env: NodeJS.ProcessEnv): ConnectionSettings {
    try {
        return resolveSettings(withoutEncrypted(raw), env);
    } catch (error) {
        const encrypted = Object.entries(raw).filter(([key, value]) => key.startsWith("snowflake:") && /^\{"secure":/.test(value))
            .map(([key]) => key);
        if (encrypted.length === 0 || !(error instanceof Error)) {
            throw error;
        }
        const exports = encrypted.map((key) => `${ENVIRONMENT_OF[key] ?? key}="$(pulumi config get ${key})"`).join(" ");
        throw new Error(`${error.message} ${encrypted.join(", ")} ${encrypted.length > 1 ? "are" : "is"} encrypted in Pulumi.${stack}.yaml, ` +
            `which only the Pulumi CLI reads: run the doctor with ${exports} npm run doctor -- --stack ${stack}`);
    }
}

/** The environment variable the provider reads for each `snowflake:` key a stack may hold encrypted (provider/connection.ts). */
const ENVIRONMENT_OF: Record<string, string> = {
    "snowflake:privateKey": "SNOWFLAKE_PRIVATE_KEY",
    "snowflake:privateKeyPassphrase": "SNOWFLAKE_PRIVATE_KEY_PASSPHRASE",
    "snowflake:password": "SNOWFLAKE_PASSWORD",
};

/** Fewer, shorter retries than the provider: a doctor run should answer quickly. */
export const DOCTOR_LIMITS: ConnectionLimits = { ...DEFAULT_LIMITS, attempts: 2, firstRetryDelayMs: 500 };

/** One offline build and analysis per stack (and config overrides) and process: the build is deterministic, and it takes seconds. */
const analysed = new Map<string, Promise<{ build: OfflineBuild; analysis: Analysis }>>();

export function analyseStack(stack: string, overrides: Readonly<Record<string, string>> = {}): Promise<{ build: OfflineBuild; analysis: Analysis }> {
    const key = JSON.stringify([stack, overrides]);
    if (!analysed.has(key)) {
        analysed.set(key, (async () => {
            const build = await buildOffline(stack, { ...overrides });
            return { build, analysis: analyse(build, await collect(build)) };
        })());
    }
    return analysed.get(key)!;
}

/**
 * `overrides` (`wallmonitor:<key>` -> value) replace the stack file's values, as `pulumi up
 * --config` does for one run: the doctor then checks the stack as it will be with them.
 */
export async function loadContext(stack: string, beforeDeploy: boolean, settings: ConnectionSettings,
                                  limits: ConnectionLimits = DOCTOR_LIMITS, overrides: Readonly<Record<string, string>> = {}): Promise<DoctorContext> {
    const config = stackConfig({ ...plainStackConfig(stack), ...overrides });
    const { build, analysis } = await analyseStack(stack, overrides);
    return {
        stack,
        beforeDeploy,
        config,
        build,
        analysis,
        catalog: buildSqlCatalog(config),
        existingRoles: new Set<string>(),
        // Before the first deploy the stack's warehouse does not exist yet; the login's own is used.
        as: (role, body) => withSession(settings, { role, warehouse: beforeDeploy ? settings.warehouse : config.warehouse }, limits, async (session) => {
            const readOnly = new ReadOnlySession(session);
            await readOnly.query(doctorStatement("use_no_secondary_roles"));
            return body(readOnly);
        }),
    };
}

/** A check area: its findings; a failure inside one area is its finding, not the end of the run. */
export type Check = (context: DoctorContext) => Promise<Finding[]>;

/** The roles the stack's roles run as: the owner when it exists, else the login role (before the first deploy). */
export function ownerOrLogin(context: DoctorContext): string | undefined {
    return context.existingRoles.has(context.config.ownerRole) ? context.config.ownerRole : undefined;
}

/** Snowflake's string for a cell (the driver returns numbers and dates typed; the fake returns text). */
export function cell(row: Readonly<Record<string, unknown>>, column: string): string {
    const value = row[column] ?? row[column.toUpperCase()] ?? row[column.toLowerCase()];
    if (value === null || value === undefined) {
        return "";
    }
    return value instanceof Date ? value.toISOString() : String(value);
}
