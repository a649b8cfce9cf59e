import type { Statement } from "./statements";

/**
 * Errors the provider reports. Each carries Snowflake's error code and says whether trying
 * again can help; none carries the driver's error object, whose request and response fields
 * could hold credentials. Messages pass through `redact` before they leave the provider.
 */

/**
 * Snowflake's "does not exist or not authorized": the object (or the database or schema around it)
 * is gone, or the role cannot see it; for a grant of an application role, the account lacks the role.
 */
export const OBJECT_MISSING = "002003";

/** Where a failure happened: logging in, running a statement, or on the way to Snowflake. */
export type FailureKind = "login" | "statement" | "transport";

export interface SnowflakeErrorDetails {
    readonly kind: FailureKind;
    /** Snowflake's code (`002003`, `390100`) or the driver's (`401002`). */
    readonly code?: string;
    readonly sqlState?: string;
    /** Worth trying again: HTTP 5xx/408/429, a reset connection, a statement that never answered. */
    readonly transient: boolean;
    /** What Snowflake or the driver said, redacted, without our context around it. */
    readonly reason: string;
    readonly statement?: Statement;
}

export class SnowflakeError extends Error {
    readonly details: SnowflakeErrorDetails;

    constructor(message: string, details: SnowflakeErrorDetails) {
        super(message);
        this.name = "SnowflakeError";
        this.details = details;
    }
}

/** A statement's SQL error, as a value, for statements whose failure the resource handles itself. */
export interface SqlFailure {
    readonly code: string;
    readonly sqlState?: string;
    /** Snowflake's message, redacted. */
    readonly message: string;
}

/** Replaces every secret, and every long line of a multi-line secret such as a PEM key, in `text`. */
export function redact(text: string, secrets: readonly string[]): string {
    const lines = secrets
        .flatMap((secret) => secret.split(/\r?\n/).map((line) => line.trim()))
        // A short line or the PEM armour ("-----END PRIVATE KEY-----") would blank out ordinary text.
        .filter((line) => line.length >= 16 && !/^-+(BEGIN|END) /.test(line));
    const fragments = [...secrets.filter((secret) => secret !== ""), ...lines].sort((a, b) => b.length - a.length);
    return fragments.reduce((result, fragment) => result.split(fragment).join("[redacted]"), text);
}

/** The fields of a snowflake-sdk error this provider reads; the rest is never looked at. */
interface DriverError {
    readonly name?: string;
    readonly code?: string | number;
    readonly message?: string;
    readonly sqlState?: string;
    readonly response?: { readonly statusCode?: number };
    readonly cause?: { readonly code?: string };
}

const TRANSIENT_HTTP_STATUS = (status: number) => status >= 500 || status === 408 || status === 429;
/** Network failures that another attempt cannot fix: the certificate is wrong, not the network. */
const PERMANENT_NETWORK_CAUSE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|OCSP|CRL/;

/** Whether a driver error is worth another attempt (HTTP 5xx/408/429, network trouble). */
export function isTransientDriverError(error: unknown): boolean {
    const driverError = error as DriverError;
    if (driverError?.name === "RequestFailedError") {
        return TRANSIENT_HTTP_STATUS(driverError.response?.statusCode ?? 0);
    }
    if (driverError?.name === "NetworkError") {
        return !PERMANENT_NETWORK_CAUSE.test(String(driverError.cause?.code ?? ""));
    }
    return false;
}

/** Turns a driver error into a SnowflakeError; `context` says what was being done. */
export function fromDriverError(error: unknown, kind: FailureKind, context: string, secrets: readonly string[],
                                statement?: Statement): SnowflakeError {
    const driverError = (error ?? {}) as DriverError;
    const code = driverError.code === undefined ? undefined : String(driverError.code);
    const transient = isTransientDriverError(error);
    const status = driverError.response?.statusCode;
    const detail = [
        code === undefined ? undefined : `error ${code}`,
        driverError.sqlState === undefined ? undefined : `SQLSTATE ${driverError.sqlState}`,
        status === undefined ? undefined : `HTTP ${status}`,
    ].filter((part) => part !== undefined).join(", ");
    const reason = redact(driverError.message ?? String(error), secrets);
    const text = `${context} failed${detail ? ` (${detail})` : ""}: ${reason}` +
        (statement ? `\n  Statement (${statement.file}):\n    ${statement.text.split("\n").join("\n    ")}` : "");
    return new SnowflakeError(redact(text, secrets), {
        kind: transient ? "transport" : kind,
        code,
        sqlState: driverError.sqlState,
        transient,
        reason,
        statement,
    });
}
