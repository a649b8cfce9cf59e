import { Row, Session } from "./connection";
import { SnowflakeError } from "./errors";
import { CheckFailure, checkStatement } from "./resource";
import { providerStatement, Statement } from "./statements";

/**
 * How the webhook and Git token secrets are created without their value reaching the stack's
 * state, the plan, logs, query text or readable bind history.
 *
 * - The value is bound to a `?` (`SECRET_STRING = ?`, `PASSWORD = ?`), never written into the
 *   statement: Snowflake keeps statement text in query history, and whether it masks the literal
 *   of CREATE SECRET there is not documented
 *   (https://docs.snowflake.com/en/sql-reference/sql/create-secret). SECRET is not among the
 *   commands that refuse binds (https://docs.snowflake.com/en/sql-reference/bind-variables,
 *   "Limitations for bind variables"); that `PASSWORD = ?` is accepted has no public example.
 * - A bound value is not hidden either: Snowflake keeps it and returns it from
 *   INFORMATION_SCHEMA.BIND_VALUES (seven days; to the user who ran the statement and to any
 *   role with MONITOR or OPERATE on the warehouse,
 *   https://docs.snowflake.com/en/sql-reference/functions/bind_values) and from the bind_values
 *   column of QUERY_HISTORY (https://docs.snowflake.com/en/sql-reference/account-usage/query_history),
 *   unless the account parameter ALLOW_BIND_VALUES_ACCESS is FALSE. Its default is TRUE and only
 *   the account can set it (https://docs.snowflake.com/en/sql-reference/parameters#allow-bind-values-access).
 *   The docs also warn that bind values may appear in error messages
 *   (https://docs.snowflake.com/en/sql-reference/bind-variables, "Security considerations").
 *
 * So before each CREATE or ALTER SECRET the provider reads that parameter, read-only, and refuses
 * while bind values are readable, unless the stack accepts the risk (wallmonitor:
 * acceptReadableBindValues). The parameter governs access, not capture: values bound while it is
 * TRUE stay in history, and whether turning it back to TRUE later exposes values bound while it
 * was FALSE is not documented (the README states this residual risk).
 */

export const BIND_VALUES_PARAMETER = "ALLOW_BIND_VALUES_ACCESS";
/** The stack setting that accepts readable bind history (lib/config.ts). */
export const ACCEPT_READABLE_BIND_VALUES_KEY = "wallmonitor:acceptReadableBindValues";
/** The statement that closes bind history, which only the account can run (ACCOUNTADMIN by default). */
export const CLOSE_BIND_HISTORY = `ALTER ACCOUNT SET ${BIND_VALUES_PARAMETER} = FALSE`;

/** What a resource that binds a credential into a secret carries to check bind history first. */
export interface BindHistoryGuard {
    /** SHOW PARAMETERS LIKE 'ALLOW_BIND_VALUES_ACCESS' IN ACCOUNT; run as the admin role. */
    readonly check: Statement;
    /** The stack accepts that the credential stays readable in bind history. */
    readonly acceptReadable: boolean;
}

/** The guard as the program renders it; `acceptReadable` comes from wallmonitor:acceptReadableBindValues. */
export function bindHistoryGuard(acceptReadable: boolean): BindHistoryGuard {
    return { check: providerStatement("secrets/show_bind_values_access", {}), acceptReadable };
}

export function checkBindHistoryGuard(property: string, value: unknown): CheckFailure[] {
    const guard = value as Partial<BindHistoryGuard> | undefined;
    const failures = checkStatement(property, guard?.check);
    if (typeof guard?.acceptReadable !== "boolean") {
        failures.push({ property, reason: "acceptReadable must be true or false; render the guard with bindHistoryGuard() " +
            `from ${ACCEPT_READABLE_BIND_VALUES_KEY}.` });
    }
    return failures;
}

/** 'false' (bind values unreadable), 'true', or undefined when the row or its value is missing. */
function parameterValue(rows: readonly Row[]): string | undefined {
    const row = rows.find((candidate) => String(candidate.key ?? "").toUpperCase() === BIND_VALUES_PARAMETER);
    const value = row?.value;
    return value === undefined || value === null ? undefined : String(value).trim().toLowerCase();
}

/** USE ROLE statements: to the role that reads the account parameter (the admin role), and back. */
export interface RoleSwitch {
    readonly to: Statement;
    readonly back: Statement;
}

/**
 * Reads ALLOW_BIND_VALUES_ACCESS as the admin role (`asAdmin`) and throws, naming the fix, unless
 * bind values are unreadable (FALSE) or the stack accepts readable ones; on success the session is
 * back in its role. `secret` names the secret about to be created or altered; no credential is
 * involved here.
 */
export async function ensureBindHistoryClosed(session: Session, guard: BindHistoryGuard, secret: string,
                                              asAdmin: RoleSwitch): Promise<void> {
    if (guard.acceptReadable) {
        return;
    }
    await session.run(asAdmin.to);
    const value = parameterValue(await session.run(guard.check));
    if (value === "false") {
        await session.run(asAdmin.back);
        return;
    }
    const state = value === undefined
        ? `could not read ${BIND_VALUES_PARAMETER} (${guard.check.file} returned no value for it), so it cannot tell whether ` +
          "bind values can be read back"
        : `${BIND_VALUES_PARAMETER} is ${value.toUpperCase()} in this account, so the bound credential could be read back for seven ` +
          "days through INFORMATION_SCHEMA.BIND_VALUES (by the deploying user and any role with MONITOR or OPERATE on the " +
          "warehouse) and for a year through SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY.bind_values";
    throw new Error(`Not creating or altering secret ${secret}: Wallmonitor binds its credential to the statement, and ` +
        `${state}. Fix: have an account administrator (ACCOUNTADMIN) run \`${CLOSE_BIND_HISTORY}\`, then run ` +
        `\`pulumi up\` again; or accept the risk with \`pulumi config set ${ACCEPT_READABLE_BIND_VALUES_KEY} true\`. ` +
        "Nothing was created.");
}

/**
 * Runs a CREATE or ALTER SECRET with the credential bound. A SQL refusal is reported with what it
 * may mean and the way out, and never retried: a statement Snowflake refused is refused again,
 * and the credential is never moved into the statement's text instead. `otherWay` says how the
 * stack can do without this secret.
 */
export async function runBoundSecretStatement(session: Session, statement: Statement, credential: string,
                                              otherWay: string): Promise<void> {
    try {
        await session.run(statement, [credential]);
    } catch (error) {
        if (!(error instanceof SnowflakeError) || error.details.kind !== "statement") {
            throw error;
        }
        throw new SnowflakeError(`${error.message}\n  The credential was bound to the ? of ${statement.file}; Wallmonitor ` +
            "never writes it into the statement text, which query history keeps. If Snowflake's reason above says the bind " +
            "variable is not allowed there (no public example binds this clause), this account cannot take the secret that " +
            `way: ${otherWay} Not retried.`, error.details);
    }
}
