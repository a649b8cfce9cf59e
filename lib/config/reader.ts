import { IDENTIFIER_PATTERN } from "../sql/identifier";
import { HTTPS_URL_PATTERN } from "./git";

/**
 * What every config module shares: the error a bad value raises, where raw values come from,
 * and the typed readers that validate one key each. A reader never holds a default: the source
 * answers an unset key with Pulumi.yaml's default (lib/config/defaults.ts), so a default is
 * parsed and checked exactly like a value the stack sets.
 */

export const CONFIG_NAMESPACE = "wallmonitor";

/** A stack configuration value that cannot be used; the message names the key and the fix. */
export class ConfigError extends Error {
    constructor(readonly key: string, message: string) {
        super(`Invalid config ${CONFIG_NAMESPACE}:${key}: ${message}`);
        this.name = "ConfigError";
    }
}

/** Where raw values come from: Pulumi config in a program, a plain map in tests. */
export interface RawConfigSource {
    get(key: string): string | undefined;
}

/** A default as Pulumi.yaml's config schema writes it; "" marks a key that is optional. */
export type SchemaDefault = string | number | boolean;

/** A source that answers a key the stack does not set with its Pulumi.yaml default (withSchemaDefaults). */
export interface DefaultingSource extends RawConfigSource {
    /** The key's default as Pulumi.yaml declares it; undefined for a key it does not declare. */
    schemaDefault(key: string): SchemaDefault | undefined;
}

/**
 * The source, refusing an empty string for every key that has a default. Pulumi hands the program
 * a key's Pulumi.yaml default when the stack does not set it, and the optional keys declare ""
 * there, so for them "" is how "not set" arrives. Any other key set to "" was cleared by someone
 * and would otherwise fall back to its default without a word (`ownerRole: ""` deploying
 * SFE_WALLMONITOR_OWNER).
 */
export function refusingEmptyValues(source: RawConfigSource, schemaDefault: (key: string) => SchemaDefault | undefined)
    : RawConfigSource {
    return {
        get(key: string): string | undefined {
            const value = source.get(key);
            const fallback = schemaDefault(key);
            if (value === "" && fallback !== undefined && fallback !== "") {
                throw new ConfigError(key, `is set to an empty string. Set a value, or remove the key with ` +
                    `\`pulumi config rm ${CONFIG_NAMESPACE}:${key}\` to use the default (${JSON.stringify(fallback)}).`);
            }
            return value;
        },
    };
}

/** LIKE patterns: identifier characters, dots and the wildcards; no quotes, spaces or semicolons. */
const AGENT_PATTERN = /^[A-Za-z0-9_$.%-]{1,767}$/;
const COMMENT_PATTERN = /^[^'\\;\n\r]{0,256}$/;

/**
 * Typed readers over a defaulting source, one key each; `Key` is the config interface's keys.
 * A key with a default always has a value here; the optional ones (default "") are read with
 * `optional`, which answers undefined when the stack leaves them unset.
 */
export class Reader<Key extends string> {
    constructor(private readonly source: DefaultingSource) {}

    /** The raw text, undefined when unset ("" is how an optional key arrives unset). */
    text(key: Key): string | undefined {
        const value = this.source.get(key);
        return value === undefined || value === "" ? undefined : value;
    }

    /** The text of a key that has a default, so always a value. */
    required(key: Key): string {
        const value = this.text(key);
        if (value === undefined) {
            throw new Error(`${CONFIG_NAMESPACE}:${key} has no default in Pulumi.yaml's config schema, but Wallmonitor ` +
                "reads it as a key that always has a value: declare its default there.");
        }
        return value;
    }

    /** `read(key)` when the stack sets the key, undefined when it leaves it unset. */
    optional<T>(key: Key, read: (key: Key) => T): T | undefined {
        return this.text(key) === undefined ? undefined : read(key);
    }

    /** `example` shows a valid name in the error; the key's default when not given. */
    identifier(key: Key, example: string = String(this.source.schemaDefault(key))): string {
        const value = this.required(key);
        if (!IDENTIFIER_PATTERN.test(value)) {
            throw new ConfigError(key, `"${value}" is not an unquoted UPPERCASE Snowflake identifier. ` +
                `Use letters A-Z, digits and _, starting with a letter or _ (for example ${example}).`);
        }
        if (value.includes("$")) {
            // Names end up inside $$-quoted procedure bodies (the rendered statements), where $$ ends the body.
            throw new ConfigError(key, `"${value}" contains $, which Wallmonitor does not accept in names: they are ` +
                `written into $$-quoted procedure bodies, where $$ would end the body. Use letters A-Z, digits and _ ` +
                `(for example ${example}).`);
        }
        return value;
    }

    boolean(key: Key): boolean {
        const value = this.required(key);
        if (value !== "true" && value !== "false") {
            throw new ConfigError(key, `"${value}" is not a boolean. Accepted values: true, false.`);
        }
        return value === "true";
    }

    integer(key: Key, min: number, max: number): number {
        const value = this.required(key);
        const parsed = Number(value);
        if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
            throw new ConfigError(key, `"${value}" is not a whole number from ${min} to ${max}.`);
        }
        return parsed;
    }

    /** One of `allowed` (upper-case names), in any case and with or without hyphens (x-small). */
    oneOf<T extends string>(key: Key, allowed: readonly T[]): T {
        const value = this.required(key);
        const match = allowed.find((candidate) => candidate === value.toUpperCase().replace(/-/g, ""));
        if (match === undefined) {
            throw new ConfigError(key, `"${value}" is not one of the accepted values: ${allowed.join(", ")}.`);
        }
        return match;
    }

    /** One of `allowed` (lower-case names), compared without regard to case. */
    choice<T extends string>(key: Key, allowed: readonly T[]): T {
        const value = this.required(key);
        const match = allowed.find((candidate) => candidate === value.toLowerCase());
        if (match === undefined) {
            throw new ConfigError(key, `"${value}" is not one of the accepted values: ${allowed.join(", ")}.`);
        }
        return match;
    }

    pattern(key: Key): string {
        const value = this.required(key);
        if (!AGENT_PATTERN.test(value)) {
            throw new ConfigError(key, `"${value}" is not an agent pattern. Use a SQL LIKE pattern over ` +
                `DATABASE.SCHEMA.AGENT made of letters, digits, _ $ . - and the wildcards % and _ ` +
                `(for example "SALES_DB.%"); quotes, spaces and semicolons are not allowed.`);
        }
        return value;
    }

    /** A value matching `pattern`; `what` says what is accepted, with an example. */
    matching(key: Key, pattern: RegExp, what: string): string {
        const value = this.required(key);
        if (!pattern.test(value)) {
            throw new ConfigError(key, `"${value}" is not ${what}.`);
        }
        return value;
    }

    /** A Git repository's https URL; one carrying credentials is refused without being repeated. */
    repositoryUrl(key: Key): string | undefined {
        const value = this.text(key);
        if (value !== undefined && /^[a-z]+:\/\/[^/]*@/i.test(value)) {
            throw new ConfigError(key, "contains credentials (user:token@ before the host), which would be stored in plain " +
                "text; remove them, and set the token with `pulumi config set --secret wallmonitor:gitToken`.");
        }
        return this.optional(key, () => this.matching(key, HTTPS_URL_PATTERN, "an https:// URL of a Git repository without " +
            "credentials, query or fragment (for example https://github.com/acme/wallmonitor.git); a token goes in " +
            "wallmonitor:gitToken, set with --secret"));
    }

    /** Comma-separated https URL prefixes. */
    urlPrefixes(key: Key): string[] | undefined {
        const value = this.text(key);
        if (value === undefined) {
            return undefined;
        }
        const prefixes = value.split(",").map((prefix) => prefix.trim()).filter((prefix) => prefix !== "");
        const bad = prefixes.find((prefix) => !HTTPS_URL_PATTERN.test(prefix));
        if (prefixes.length === 0 || bad !== undefined) {
            throw new ConfigError(key, `"${bad ?? value}" is not a comma-separated list of https:// URL prefixes ` +
                "(for example https://github.com/acme/).");
        }
        return prefixes;
    }

    /**
     * A structured value parsed by its own module, whose errors (of type `errorType`, carrying the
     * message) become ConfigErrors for `key`.
     */
    parsed<T>(key: Key, parse: (key: string, raw: string | undefined) => T, errorType: new (...args: never[]) => Error): T {
        try {
            return parse(key, this.text(key));
        } catch (error) {
            throw error instanceof errorType ? new ConfigError(key, error.message) : error;
        }
    }

    comment(key: Key): string {
        const value = this.required(key);
        if (!COMMENT_PATTERN.test(value)) {
            throw new ConfigError(key, "must be at most 256 characters on one line, without quotes, backslashes or semicolons.");
        }
        return value;
    }
}
