import type * as pulumi from "@pulumi/pulumi";

import { IDENTIFIER_PATTERN } from "../lib/sql/identifier";
import {
    CONFIG_KEYS, ConnectionLimits, DEFAULT_LIMITS, resolveSettings, Session, SessionOptions, withSession,
} from "./connection";
import { OBJECT_MISSING, SnowflakeError } from "./errors";
import type { Statement } from "./statements";

/**
 * The plumbing every Wallmonitor dynamic resource shares. A resource kind supplies only what
 * is particular to it (validation, which properties replace, and the SQL each step runs);
 * `snowflakeProvider` turns that into a `pulumi.dynamic.ResourceProvider` that connects
 * through snowflake-sdk, retries transient failures, cleans up after a failed create, and
 * diffs exactly the declared input properties.
 *
 * `Inputs` is the resolved input type (plain values, what `check` accepts); `Outputs` extends
 * it with what the resource computes. Inputs hold SQL text and role names; the only credential
 * an input may hold is one the kind lists in `secretInputs` (a Git token, passed as a Pulumi
 * secret), which statements bind at run time and the outputs never contain.
 */

/**
 * How a change to an input property is applied: in place, by replacing the resource, or not at
 * all. "none" is for values that say how to deploy from this machine (where files are read
 * from), not what is deployed: a change to them alone is no change, and the next create or
 * update uses the new value.
 */
export type ChangeMode = "update" | "replace" | "none";

/** A property that failed validation, and why; shown by `pulumi preview`. */
export type CheckFailure = pulumi.dynamic.CheckFailure;

/** Statements that undo what a create has done so far, run in reverse order if it fails. */
export interface Cleanup {
    onFailure(statement: Statement): void;
}

export interface ResourceKind<Inputs extends object, Outputs extends Inputs> {
    /** Name used in messages, such as "AI-observability access". */
    readonly description: string;
    /** Every input property and how a change to it is applied; `diff` looks at these and nothing else. */
    readonly properties: { readonly [K in keyof Inputs]-?: ChangeMode };
    /**
     * Input properties that hold a credential (a Pulumi secret such as a Git token). The provider
     * never writes them into the resource's outputs: it keeps a salted SHA-256 fingerprint
     * (`<property>Fingerprint`) there instead and diffs the property by it. Defaults to none.
     */
    readonly secretInputs?: readonly (keyof Inputs & string)[];
    /** Validates new inputs; each failure names the property and how to fix it. */
    check(news: Readonly<Record<string, unknown>>): CheckFailure[];
    /** Role and warehouse the session uses, and any input values to keep out of messages. */
    session(inputs: Inputs): SessionOptions;
    /** Creates the object; registers an undo statement after each step that changed something. */
    create(session: Session, inputs: Inputs, cleanup: Cleanup): Promise<{ id: string; outs: Outputs }>;
    /** Reads the live state; undefined when the object is gone. */
    read(session: Session, id: string, state: Outputs): Promise<Outputs | undefined>;
    /**
     * Applies a change in place. `olds` lacks the `secretInputs`; `changed` lists the properties
     * whose values differ (as `diff` reported them), so an update can do only what they need.
     */
    update(session: Session, id: string, olds: Outputs, news: Inputs, changed: readonly (keyof Inputs & string)[]): Promise<Outputs>;
    /** Deletes the object; must succeed when it is already gone. */
    delete(session: Session, id: string, state: Outputs): Promise<void>;
}

/** Runs a DROP whose object, or the schema around it, may already be gone (Snowflake 002003). */
export async function dropIfPresent(session: Session, statement: Statement): Promise<void> {
    await session.tryRun(statement, (failure) => failure.code === OBJECT_MISSING);
}

/** A failure unless `news[property]` is an unquoted UPPERCASE identifier (or absent, when optional). */
export function checkIdentifier(news: Readonly<Record<string, unknown>>, property: string, example: string,
                                optional = false): CheckFailure[] {
    const value = news[property];
    if (value === undefined && optional) {
        return [];
    }
    return typeof value === "string" && IDENTIFIER_PATTERN.test(value) ? [] : [{
        property,
        reason: `${JSON.stringify(value)} is not an unquoted UPPERCASE Snowflake identifier; ` +
            `use letters A-Z, digits, _ and $, for example ${example}.`,
    }];
}

/** The checks of a resource's role switches (statements.ts roleSwitches). */
export function checkRoleSwitches(news: Readonly<Record<string, unknown>>): CheckFailure[] {
    return [
        ...checkIdentifier(news, "ownerRole", "SFE_WALLMONITOR_OWNER"),
        ...checkIdentifier(news, "adminRole", "ACCOUNTADMIN"),
        ...checkStatement("useOwnerRole", news.useOwnerRole),
        ...checkStatement("useAdminRole", news.useAdminRole),
    ];
}

/** A failure unless `value` is a statement rendered by `providerStatement` (a file under sql/provider/ and its text). */
export function checkStatement(property: string, value: unknown): CheckFailure[] {
    const statement = value as Partial<Statement> | undefined;
    const valid = typeof statement?.file === "string" && statement.file.startsWith("provider/") &&
        typeof statement.text === "string" && statement.text.trim() !== "";
    return valid ? [] : [{
        property,
        reason: "must be a statement rendered from sql/provider/ with providerStatement() ({ file, text }); " +
            "render it in the program instead of writing SQL by hand.",
    }];
}

/** Pulumi's placeholder for a value not known until apply (`pulumi.runtime.unknownValue`). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Where the outputs keep a secret input's fingerprint. */
export function fingerprintProperty(property: string): string {
    return `${property}Fingerprint`;
}

/** `sha256:<salt>:<hex>`; the random salt keeps a guessable value from being found by hashing guesses. */
export function fingerprint(value: string, salt?: string): string {
    const crypto = require("crypto");
    const saltHex: string = salt ?? crypto.randomBytes(16).toString("hex");
    return `sha256:${saltHex}:${crypto.createHash("sha256").update(`${saltHex}:${value}`).digest("hex")}`;
}

/** Whether `value` is the one whose fingerprint was recorded (both absent counts as the same). */
function matchesFingerprint(recorded: unknown, value: unknown): boolean {
    if (recorded === undefined || value === undefined) {
        return recorded === undefined && value === undefined;
    }
    return fingerprint(String(value), String(recorded).split(":")[1]) === recorded;
}

/**
 * The input properties whose values differ between the old state and the new inputs, leaving
 * out "none" properties; a secret input is compared with the fingerprint the state holds.
 */
export function changedProperties<Inputs extends object>(properties: { readonly [K in keyof Inputs]-?: ChangeMode },
                                                         olds: Readonly<Record<string, unknown>>,
                                                         news: Readonly<Record<string, unknown>>,
                                                         secretInputs: readonly string[] = []): (keyof Inputs & string)[] {
    return (Object.keys(properties) as (keyof Inputs & string)[])
        .filter((property) => properties[property] !== "none")
        .filter((property) => (secretInputs.includes(property)
            ? !matchesFingerprint(olds[fingerprintProperty(property)], news[property])
            : JSON.stringify(olds[property]) !== JSON.stringify(news[property])));
}

/** The outputs to record: the secret inputs replaced by their fingerprints (kept when unchanged, so diffs stay quiet). */
function withoutSecrets<Outputs extends object>(secretInputs: readonly string[], outs: Outputs,
                                                inputs: Readonly<Record<string, unknown>>,
                                                previous: Readonly<Record<string, unknown>> = {}): Outputs {
    const result = { ...outs } as Record<string, unknown>;
    for (const property of secretInputs) {
        delete result[property];
        const key = fingerprintProperty(property);
        const value = inputs[property];
        if (value === undefined) {
            delete result[key];
        } else {
            result[key] = matchesFingerprint(previous[key], value) ? previous[key] : fingerprint(String(value));
        }
    }
    return result as Outputs;
}

/**
 * Builds the dynamic provider for a resource kind. Call it once per kind at module level:
 * the object is serialized into each resource's state, so it must capture no credentials,
 * and it captures none, since the connection settings are read only in `configure()` and
 * the methods.
 */
export function snowflakeProvider<Inputs extends object, Outputs extends Inputs>(
    kind: ResourceKind<Inputs, Outputs>, limits: ConnectionLimits = DEFAULT_LIMITS,
): pulumi.dynamic.ResourceProvider<Inputs, Outputs> {
    // Filled in the provider process only: the stack's snowflake: config, as configure() received it.
    const received: { config: Record<string, string | undefined> } = { config: {} };
    const secretInputs: readonly string[] = kind.secretInputs ?? [];

    const connect = <T>(inputs: Inputs, body: (session: Session) => Promise<T>) =>
        withSession(resolveSettings(received.config, process.env), kind.session(inputs), limits, body);

    return {
        async configure(request) {
            received.config = Object.fromEntries(CONFIG_KEYS.map((key) => [key, request.config.get(key)]));
        },

        async check(_olds, news) {
            const failures = kind.check(news as Record<string, unknown>)
                .filter((failure) => (news as Record<string, unknown>)[failure.property] !== UNKNOWN);
            return failures.length > 0 ? { failures } : { inputs: news };
        },

        async diff(_id, olds, news) {
            const changed = changedProperties(kind.properties, olds as Record<string, unknown>, news as Record<string, unknown>,
                secretInputs);
            const replaces = changed.filter((property) => kind.properties[property] === "replace");
            return { changes: changed.length > 0, replaces };
        },

        async create(inputs) {
            const { id, outs } = await connect(inputs, async (session) => {
                const undo: Statement[] = [];
                try {
                    return await kind.create(session, inputs, { onFailure: (statement) => undo.push(statement) });
                } catch (error) {
                    throw await cleanUp(session, undo, error, kind.description);
                }
            });
            return { id, outs: withoutSecrets(secretInputs, outs, inputs as Record<string, unknown>) };
        },

        async read(id, state) {
            const current = state as Outputs;
            const props = await connect(current, (session) => kind.read(session, id, current));
            if (props === undefined) {
                return {};
            }
            const refreshed = { ...props } as Record<string, unknown>;
            for (const property of secretInputs) {
                delete refreshed[property];
                refreshed[fingerprintProperty(property)] = (state as Record<string, unknown>)[fingerprintProperty(property)];
            }
            return { id, props: refreshed as Outputs };
        },

        async update(id, olds, news) {
            const previous = olds as Record<string, unknown>;
            const changed = changedProperties(kind.properties, previous, news as Record<string, unknown>, secretInputs);
            const outs = await connect(news, (session) => kind.update(session, id, olds, news, changed));
            return { outs: withoutSecrets(secretInputs, outs, news as Record<string, unknown>, previous) };
        },

        async delete(id, state) {
            await connect(state, (session) => kind.delete(session, id, state));
        },
    };
}

/**
 * Runs the undo statements of a failed create, newest first, and returns the error to throw:
 * the original one, saying what was undone or what is left to undo by hand.
 */
async function cleanUp(session: Session, undo: readonly Statement[], error: unknown, description: string): Promise<unknown> {
    if (undo.length === 0) {
        return error;
    }
    const notes: string[] = [];
    for (const statement of [...undo].reverse()) {
        try {
            await session.run(statement);
            notes.push(`undone: ${statement.file}`);
        } catch (cleanupError) {
            notes.push(`NOT undone, run it by hand: ${statement.text} (${(cleanupError as Error).message.split("\n")[0]})`);
        }
    }
    const message = `${(error as Error).message}\nCreating ${description} failed half-way; ${notes.join("; ")}`;
    if (error instanceof SnowflakeError) {
        return new SnowflakeError(message, error.details);
    }
    return new Error(message);
}
