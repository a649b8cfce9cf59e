import { fromDriverError, redact, SnowflakeError, SqlFailure } from "./errors";
import type { Statement } from "./statements";

/**
 * Connections from the dynamic provider to Snowflake through the real `snowflake-sdk` driver.
 *
 * Everything here runs inside the provider process, after `configure()`: settings and
 * credentials are read when a method runs (from the stack's `snowflake:` config or the
 * environment), never captured when the program serializes the provider, so none of them
 * can end up in the stack's state.
 */

/** The settings a connection needs; credentials are only ever held here, in memory. */
export interface ConnectionSettings {
    /** `ORGANIZATION-ACCOUNT`, the account identifier the driver expects. */
    readonly account: string;
    readonly user: string;
    readonly authenticator: "SNOWFLAKE" | "SNOWFLAKE_JWT";
    readonly password?: string;
    readonly privateKey?: string;
    readonly privateKeyPassphrase?: string;
    /** Role used when a resource names none. */
    readonly role?: string;
    readonly warehouse?: string;
    /** Overrides the account's URL; tests point it at a local fake. */
    readonly accessUrl?: string;
}

/** Each setting, read from the stack's config first and the environment second, as the Snowflake provider does. */
const SETTING_SOURCES = {
    organizationName: { config: "snowflake:organizationName", env: "SNOWFLAKE_ORGANIZATION_NAME" },
    accountName: { config: "snowflake:accountName", env: "SNOWFLAKE_ACCOUNT_NAME" },
    user: { config: "snowflake:user", env: "SNOWFLAKE_USER" },
    role: { config: "snowflake:role", env: "SNOWFLAKE_ROLE" },
    authenticator: { config: "snowflake:authenticator", env: "SNOWFLAKE_AUTHENTICATOR" },
    privateKey: { config: "snowflake:privateKey", env: "SNOWFLAKE_PRIVATE_KEY" },
    privateKeyPassphrase: { config: "snowflake:privateKeyPassphrase", env: "SNOWFLAKE_PRIVATE_KEY_PASSPHRASE" },
    password: { config: "snowflake:password", env: "SNOWFLAKE_PASSWORD" },
    warehouse: { config: "snowflake:warehouse", env: "SNOWFLAKE_WAREHOUSE" },
} as const;
type SettingName = keyof typeof SETTING_SOURCES;

/** Environment variable that points the provider at another URL (a local fake in tests). */
export const ACCESS_URL_ENV = "WALLMONITOR_SNOWFLAKE_ACCESS_URL";

/** The `snowflake:` config keys the provider reads, so `configure()` keeps only those. */
export const CONFIG_KEYS: readonly string[] = Object.values(SETTING_SOURCES).map((source) => source.config);

/**
 * Resolves connection settings from stack config values (`snowflake:<key>`, as given to
 * `configure()`) and the environment. Throws a message naming both places to set what is missing.
 */
export function resolveSettings(config: Readonly<Record<string, string | undefined>>,
                                env: Readonly<Record<string, string | undefined>>): ConnectionSettings {
    const read = (name: SettingName) =>
        nonEmpty(config[SETTING_SOURCES[name].config]) ?? nonEmpty(env[SETTING_SOURCES[name].env]);
    const where = (...names: SettingName[]) => names.map((name) =>
        `${SETTING_SOURCES[name].config} (pulumi config set${name === "password" || name === "privateKey" ? " --secret" : ""}) ` +
        `or ${SETTING_SOURCES[name].env}`).join(", and ");
    const organization = read("organizationName");
    const accountName = read("accountName");
    if (organization === undefined || accountName === undefined) {
        throw new Error(`Snowflake connection: no account. Set ${where("organizationName", "accountName")}.`);
    }
    const user = read("user");
    if (user === undefined) {
        throw new Error(`Snowflake connection: no user. Set ${where("user")}.`);
    }
    // Keys pasted into an environment variable often arrive with literal "\n".
    const privateKey = read("privateKey")?.replace(/\\n/g, "\n");
    const password = read("password");
    const requested = read("authenticator")?.toUpperCase();
    const authenticator = requested === "JWT" ? "SNOWFLAKE_JWT" : requested ?? (privateKey ? "SNOWFLAKE_JWT" : "SNOWFLAKE");
    if (authenticator !== "SNOWFLAKE" && authenticator !== "SNOWFLAKE_JWT") {
        throw new Error(`Snowflake connection: authenticator "${requested}" is not supported by the Wallmonitor provider, ` +
            "which runs unattended. Use SNOWFLAKE_JWT (key pair) or SNOWFLAKE (password).");
    }
    if (authenticator === "SNOWFLAKE_JWT" && privateKey === undefined) {
        throw new Error(`Snowflake connection: key-pair authentication needs a private key. Set ${where("privateKey")}.`);
    }
    if (authenticator === "SNOWFLAKE" && password === undefined) {
        throw new Error(`Snowflake connection: no credentials. Set ${where("privateKey")}, or ${where("password")}.`);
    }
    return {
        account: `${organization}-${accountName}`,
        user,
        authenticator,
        password: authenticator === "SNOWFLAKE" ? password : undefined,
        privateKey: authenticator === "SNOWFLAKE_JWT" ? privateKey : undefined,
        privateKeyPassphrase: authenticator === "SNOWFLAKE_JWT" ? read("privateKeyPassphrase") : undefined,
        role: read("role"),
        warehouse: read("warehouse"),
        accessUrl: nonEmpty(env[ACCESS_URL_ENV]),
    };
}

function nonEmpty(value: string | undefined): string | undefined {
    return value === undefined || value.trim() === "" ? undefined : value;
}

/** Every value that must never appear in a message. */
export function secretsOf(settings: ConnectionSettings): string[] {
    return [settings.password, settings.privateKey, settings.privateKeyPassphrase]
        .filter((value): value is string => value !== undefined);
}

/** How hard the provider tries. The driver's own limits are set from these too. */
export interface ConnectionLimits {
    /** Attempts per operation, counting the first; only transient failures are tried again. */
    readonly attempts: number;
    /** Wait before the second attempt; doubles for each later one. */
    readonly firstRetryDelayMs: number;
    /** The driver's timeout for one HTTP request. */
    readonly requestTimeoutMs: number;
    /**
     * How long one statement may take, the driver's own retries included. snowflake-sdk 3.x
     * retries a query's HTTP 5xx/408/429 up to 1000 times (sfRetryMaxNumRetries is not a
     * connection option it accepts), so this deadline is what bounds it. When it passes, the
     * session is closed and the attempt counts as transient.
     */
    readonly statementTimeoutMs: number;
}

export const DEFAULT_LIMITS: ConnectionLimits = {
    attempts: 3,
    firstRetryDelayMs: 2_000,
    requestTimeoutMs: 60_000,
    statementTimeoutMs: 120_000,
};

/** What one session is for: the role and warehouse it uses, and extra values to keep out of messages. */
export interface SessionOptions {
    readonly role?: string;
    readonly warehouse?: string;
    readonly secrets?: readonly string[];
}

export type Row = Readonly<Record<string, unknown>>;

/** An open session: one statement per call. */
export interface Session {
    /**
     * Runs a statement; any failure throws a SnowflakeError naming the statement. `binds` fill
     * its `?` placeholders at run time: a credential goes there, never into the text.
     */
    run(statement: Statement, binds?: readonly string[]): Promise<Row[]>;
    /**
     * Runs a statement whose SQL errors the caller handles (a missing object, a probe): a SQL
     * error that `tolerated` accepts is returned instead of thrown. Others, and login and
     * transport failures, still throw.
     */
    tryRun(statement: Statement, tolerated: (failure: SqlFailure) => boolean): Promise<{ rows: Row[] } | { failure: SqlFailure }>;
}

/** The part of snowflake-sdk's connection this provider uses. */
interface DriverConnection {
    connect(callback: (error: unknown) => void): void;
    execute(options: {
        sqlText: string;
        binds?: string[];
        complete: (error: unknown, statement: unknown, rows?: Row[]) => void;
    }): void;
    destroy(callback: (error: unknown) => void): void;
}

/**
 * Opens a session, runs `body` in it and always closes it. Transient failures (of the login or
 * of any statement) retry the whole body on a new session, so `body` must be idempotent.
 */
export async function withSession<T>(settings: ConnectionSettings, options: SessionOptions, limits: ConnectionLimits,
                                     body: (session: Session) => Promise<T>): Promise<T> {
    const secrets = [...secretsOf(settings), ...(options.secrets ?? [])];
    for (let attempt = 1; ; attempt += 1) {
        try {
            return await withOneSession(settings, options, limits, secrets, body);
        } catch (error) {
            if (!(error instanceof SnowflakeError) || !error.details.transient || attempt >= limits.attempts) {
                throw error;
            }
            await sleep(limits.firstRetryDelayMs * 2 ** (attempt - 1));
        }
    }
}

async function withOneSession<T>(settings: ConnectionSettings, options: SessionOptions, limits: ConnectionLimits,
                                 secrets: readonly string[], body: (session: Session) => Promise<T>): Promise<T> {
    // Required here, not imported: the provider is serialized with the program, and the driver
    // is loaded in the provider process only when a method actually runs.
    const snowflake = require("snowflake-sdk");
    // Otherwise the driver writes snowflake.log into the working directory.
    snowflake.configure({ logLevel: "OFF" });
    const role = options.role ?? settings.role;
    const connection: DriverConnection = snowflake.createConnection({
        account: settings.account,
        username: settings.user,
        authenticator: settings.authenticator,
        password: settings.password,
        privateKey: settings.privateKey,
        privateKeyPass: settings.privateKeyPassphrase,
        role,
        warehouse: options.warehouse ?? settings.warehouse,
        accessUrl: settings.accessUrl,
        application: "Wallmonitor",
        timeout: limits.requestTimeoutMs,
        // Login is retried here, with the provider's own bound.
        sfRetryMaxLoginRetries: 0,
    });
    const who = `Snowflake login as ${settings.user} to ${settings.account}${role ? ` with role ${role}` : ""}`;
    try {
        // connectAsync resolves even when the password is wrong; connect's callback gets the error.
        await new Promise<void>((resolve, reject) => connection.connect((error) =>
            (error ? reject(fromDriverError(error, "login", who, secrets)) : resolve())));
        return await body(openSession(connection, limits, secrets));
    } finally {
        await new Promise<void>((resolve) => {
            // A session that cannot be closed (the network is gone) expires on Snowflake's side.
            const giveUp = setTimeout(resolve, limits.requestTimeoutMs);
            connection.destroy(() => {
                clearTimeout(giveUp);
                resolve();
            });
        });
    }
}

/**
 * The text handed to the driver. snowflake-sdk recognises a file transfer (PUT, GET) only by
 * the first three characters of the text, so a transfer's leading comment lines are not sent.
 */
export function driverText(statement: Statement): string {
    const code = statement.text.replace(/^(\s*--[^\n]*\n)+/, "");
    return /^\s*(PUT|GET)\s/i.test(code) ? code.trim() : statement.text;
}

function openSession(connection: DriverConnection, limits: ConnectionLimits, secrets: readonly string[]): Session {
    const execute = (statement: Statement, binds?: readonly string[]) => new Promise<Row[]>((resolve, reject) => {
        const deadline = setTimeout(() => {
            const reason = `no answer within ${limits.statementTimeoutMs / 1000} s`;
            reject(new SnowflakeError(redact(`Snowflake statement ${statement.file}: ${reason}`, secrets),
                { kind: "transport", transient: true, reason, statement }));
        }, limits.statementTimeoutMs);
        connection.execute({
            sqlText: driverText(statement),
            binds: binds === undefined ? undefined : [...binds],
            complete: (error, _statement, rows) => {
                clearTimeout(deadline);
                if (error) {
                    reject(fromDriverError(error, "statement", `Snowflake statement ${statement.file}`, secrets, statement));
                } else {
                    resolve(rows ?? []);
                }
            },
        });
    });
    return {
        run: execute,
        async tryRun(statement, tolerated) {
            try {
                return { rows: await execute(statement) };
            } catch (error) {
                const details = error instanceof SnowflakeError ? error.details : undefined;
                if (details?.kind === "statement" && details.code !== undefined) {
                    const failure = { code: details.code, sqlState: details.sqlState, message: details.reason };
                    if (tolerated(failure)) {
                        return { failure };
                    }
                }
                throw error;
            }
        },
    };
}

function sleep(milliseconds: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
