import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";

import { DefaultingSource, RawConfigSource, refusingEmptyValues, SchemaDefault } from "./reader";

/**
 * Every default of the stack configuration comes from one place: the `config:` schema of the
 * project file, Pulumi.yaml, which is also what `pulumi config` and the Pulumi Cloud console show
 * (https://www.pulumi.com/docs/iac/concepts/projects/project-file/). Nothing else writes a default
 * down: the config modules read an unset key as its schema default's text and parse it like a
 * value the stack sets, and the dashboard and the policy pack take what the deployment or this
 * module says.
 */

const SCHEMA_TYPES = ["string", "integer", "boolean"] as const;

/** One key of Pulumi.yaml's `config:` block. */
export interface ConfigSchemaEntry {
    readonly type: (typeof SCHEMA_TYPES)[number];
    /** "" for a key that is optional (unset is a meaning of its own, such as "none"). */
    readonly default: SchemaDefault;
    readonly description: string;
}

export type ConfigSchema = Readonly<Record<string, ConfigSchemaEntry>>;

/** The repository root, where Pulumi.yaml sits. */
const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

/** Reads and checks the `config:` block of `<projectRoot>/Pulumi.yaml`. */
export function loadConfigSchema(projectRoot: string): ConfigSchema {
    const file = path.join(projectRoot, "Pulumi.yaml");
    const project = yaml.load(fs.readFileSync(file, "utf8")) as { config?: Record<string, Partial<ConfigSchemaEntry>> } | null;
    const entries = Object.entries(project?.config ?? {});
    for (const [key, entry] of entries) {
        const type = entry?.type;
        if (!(SCHEMA_TYPES as readonly unknown[]).includes(type)) {
            throw new Error(`${file}: config ${key} has type ${JSON.stringify(type)}; Wallmonitor's keys are ${SCHEMA_TYPES.join(", ")}.`);
        }
        const value = entry.default;
        const fits = type === "string" ? typeof value === "string"
            : type === "integer" ? Number.isSafeInteger(value)
            : typeof value === "boolean";
        if (!fits) {
            throw new Error(`${file}: config ${key} declares the default ${JSON.stringify(value)}, which is not of type ${type}; ` +
                "every key declares a default (\"\" for an optional string).");
        }
    }
    return Object.fromEntries(entries) as ConfigSchema;
}

/** The project's own schema, read once. */
export const PROJECT_CONFIG_SCHEMA: ConfigSchema = loadConfigSchema(PROJECT_ROOT);

/** The default of `key` as its text, the way Pulumi hands it to the program; undefined for an undeclared key. */
export function defaultText(key: string, schema: ConfigSchema = PROJECT_CONFIG_SCHEMA): string | undefined {
    const entry = schema[key];
    return entry === undefined ? undefined : String(entry.default);
}

/**
 * The stack's raw values with the schema's defaults behind them: a key the stack does not set
 * reads as its default's text, and a key with a default that the stack sets to "" is refused
 * (refusingEmptyValues). Pulumi itself answers an unset key with its schema default; doing it
 * here too makes tests, the offline plan and a program read the same values.
 */
export function withSchemaDefaults(raw: RawConfigSource, schema: ConfigSchema = PROJECT_CONFIG_SCHEMA): DefaultingSource {
    const schemaDefault = (key: string) => schema[key]?.default;
    const checked = refusingEmptyValues(raw, schemaDefault);
    return {
        get: (key) => checked.get(key) ?? defaultText(key, schema),
        schemaDefault,
    };
}
