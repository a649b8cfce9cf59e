import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";

/**
 * The alert rules: one record per rule, `sql/alerts/rules/<rule>.yml`, beside the SQL that
 * computes it. A record is the only place a rule is written down: its name, what it measures,
 * its built-in defaults, the values its SQL takes and how people see it. The config parser
 * (lib/config/alerts.ts), the catalog (lib/sql/alertCatalog.ts), the procedure (through the
 * settings the catalog embeds) and the Alerts page (through the ALERT_RULES view) all read
 * the rules from here.
 *
 * A record:
 *
 *     name: error_rate                  # the file's own name; [a-z][a-z0-9_]*
 *     label: Error rate                 # how people see the rule (Alerts page)
 *     measures: failed turns / turns    # what its value is
 *     unit: of turns failed             # what a threshold counts, in config errors
 *     ratio: true                       # a fraction: thresholds above 0 and at most 1
 *     windowed: true                    # its SQL looks back windowMinutes
 *     format: percent                   # percent | duration_ms | multiple | number
 *     defaults: {enabled: true, warning: 0.25, critical: 0.5, windowMinutes: 60, minVolume: 20}
 *     sql: error_rate.sql               # optional, a file beside the record; default <name>.sql
 *     values:                           # every {{PLACEHOLDER}} of that SQL
 *       WINDOW_MINUTES: {setting: windowMinutes}   # the stack's window for this rule
 *       HISTORY_TABLE: {table: AGENT_EVENTS_HISTORY}   # a Wallmonitor table, qualified
 *       RULE_NAME: {literal: error_rate}              # a quoted SQL string
 *       MEASURE: {column: STEPS}                     # a column of the rule's own SQL (an identifier)
 *       BASELINE_DAYS: 14                             # a number
 *       SLO_OBJECTIVE_ROWS: {stack: SLO_OBJECTIVE_ROWS}  # a stack value rules may take (lib/sql/sloRows.ts)
 *
 * This module reads and checks records and nothing else (it imports no other Wallmonitor
 * module), so the config layer can use it without an import loop.
 */

export const ALERT_RULES_ROOT = path.resolve(__dirname, "..", "..", "sql", "alerts", "rules");

/** How a rule's value reads for people: 0.25 as 25 %, 65000 ms as 1 min 5 s, 2.5 as 2.50x, 12 as 12. */
export const VALUE_FORMATS = ["percent", "duration_ms", "multiple", "number"] as const;
export type ValueFormat = (typeof VALUE_FORMATS)[number];

export interface AlertRule {
    readonly enabled: boolean;
    /** The value at or above which the rule fires WARNING. */
    readonly warning: number;
    /** The value at or above which it fires CRITICAL; null: never critical. */
    readonly critical: number | null;
    /** How far back from the evaluation the rule looks (minutes). */
    readonly windowMinutes: number;
    /** Below this many observations (turns, feedback events) the rule does not fire. */
    readonly minVolume: number;
}

export const RULE_FIELDS = ["enabled", "warning", "critical", "windowMinutes", "minVolume"] as const;

/** A value a rule's SQL takes; resolved for a stack by lib/sql/alertCatalog.ts. */
export type RuleSqlValue =
    | number
    | { readonly table: string }
    | { readonly setting: "windowMinutes" }
    | { readonly literal: string }
    | { readonly column: string }
    | { readonly stack: string };

export interface AlertRuleRecord {
    readonly name: string;
    readonly label: string;
    readonly measures: string;
    readonly unit: string;
    readonly ratio: boolean;
    readonly windowed: boolean;
    readonly format: ValueFormat;
    readonly defaults: AlertRule;
    /** The record's file, for messages. */
    readonly recordFile: string;
    /** The rule's SQL file (absolute). */
    readonly sqlFile: string;
    readonly values: Readonly<Record<string, RuleSqlValue>>;
}

/** An alert rule record that cannot be used; the message names the file and the fix. */
export class AlertRuleRecordError extends Error {
    constructor(readonly file: string, message: string) {
        super(`Alert rule record ${file}: ${message}`);
    }
}

const RECORD_FIELDS = ["name", "label", "measures", "unit", "ratio", "windowed", "format", "defaults", "sql", "values"];
const RULE_NAME = /^[a-z][a-z0-9_]{0,62}$/;
const PLACEHOLDER_NAME = /^[A-Z][A-Z0-9_]*$/;
const TABLE_NAME = /^[A-Z_][A-Z0-9_]*$/;
const SQL_FILE_NAME = /^[a-z0-9_]+\.sql$/;
/** Text that becomes a SQL string constant in the ALERT_RULES view: no quote, backslash or control character. */
const PLAIN_TEXT = /^[^'\\\u0000-\u001f]{1,200}$/;

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * What is wrong with a rule's settings (`at` names it, e.g. `defaults.error_rate`), or undefined.
 * The config parser and the record loader share it, so a record's defaults obey the same limits
 * as configured values.
 */
export function ruleProblem(at: string, rule: Readonly<Record<string, unknown>>, ratio: boolean, unit: string): string | undefined {
    if (typeof rule.enabled !== "boolean") {
        return `${at}.enabled must be true or false.`;
    }
    const upper = ratio ? 1 : Number.MAX_SAFE_INTEGER;
    const badThreshold = (field: "warning" | "critical") => {
        const v = rule[field];
        return typeof v !== "number" || !Number.isFinite(v) || v <= 0 || v > upper
            ? `${at}.${field} is ${JSON.stringify(v)}; it must be a number ` +
                (ratio ? "above 0 and at most 1 (a fraction: 0.25 is 25 %)" : "above 0") + ` (${unit}).`
            : undefined;
    };
    const warning = badThreshold("warning");
    if (warning !== undefined) {
        return warning;
    }
    if (rule.critical !== null) {
        const critical = badThreshold("critical");
        if (critical !== undefined) {
            return critical;
        }
        if ((rule.critical as number) < (rule.warning as number)) {
            return `${at}: critical (${rule.critical}) is below warning (${rule.warning}); ` +
                "critical must be at least the warning threshold (or null for no critical level).";
        }
    }
    const windowMinutes = rule.windowMinutes as number;
    if (!Number.isInteger(windowMinutes) || windowMinutes < 5 || windowMinutes > 10080) {
        return `${at}.windowMinutes is ${JSON.stringify(windowMinutes)}; it must be a whole number of minutes from 5 to 10080.`;
    }
    const minVolume = rule.minVolume as number;
    if (!Number.isInteger(minVolume) || minVolume < 0 || minVolume > 1_000_000) {
        return `${at}.minVolume is ${JSON.stringify(minVolume)}; it must be a whole number from 0 to 1000000.`;
    }
    return undefined;
}

function sqlValue(file: string, placeholder: string, value: unknown): RuleSqlValue {
    const fail = (why: string) => new AlertRuleRecordError(file, `values.${placeholder} ${why}; give a number, ` +
        "{table: TABLE_NAME}, {setting: windowMinutes}, {literal: text}, {column: COLUMN_NAME} or {stack: VALUE_NAME}.");
    if (!PLACEHOLDER_NAME.test(placeholder)) {
        throw new AlertRuleRecordError(file, `values.${placeholder} is not a placeholder name (UPPERCASE, as in {{${placeholder.toUpperCase()}}}).`);
    }
    if (typeof value === "number") {
        if (!Number.isFinite(value)) {
            throw fail(`is ${value}`);
        }
        return value;
    }
    if (!isObject(value) || Object.keys(value).length !== 1) {
        throw fail(`is ${JSON.stringify(value)}`);
    }
    const [[kind, given]] = Object.entries(value);
    if (kind === "table" && typeof given === "string" && TABLE_NAME.test(given)) {
        return { table: given };
    }
    if (kind === "setting" && given === "windowMinutes") {
        return { setting: "windowMinutes" };
    }
    if (kind === "literal" && typeof given === "string" && PLAIN_TEXT.test(given)) {
        return { literal: given };
    }
    // A column of the rule's own SQL (which of a shared template's measures this rule reads).
    if (kind === "column" && typeof given === "string" && TABLE_NAME.test(given)) {
        return { column: given };
    }
    // A stack value (validated config rendered for a deployment); lib/sql/alertCatalog.ts checks the name.
    if (kind === "stack" && typeof given === "string" && PLACEHOLDER_NAME.test(given)) {
        return { stack: given };
    }
    throw fail(`is ${JSON.stringify(value)}`);
}

function parseRecord(root: string, fileName: string): AlertRuleRecord {
    const file = path.join(root, fileName);
    const shown = path.basename(file);
    let document: unknown;
    try {
        document = yaml.load(fs.readFileSync(file, "utf8"));
    } catch (error) {
        throw new AlertRuleRecordError(shown, `is not valid YAML (${(error as Error).message}).`);
    }
    if (!isObject(document)) {
        throw new AlertRuleRecordError(shown, "must be a YAML mapping with name, label, measures, unit, ratio, windowed, format, defaults and values.");
    }
    const unknown = Object.keys(document).filter((field) => !RECORD_FIELDS.includes(field));
    if (unknown.length > 0) {
        throw new AlertRuleRecordError(shown, `has unknown field(s) ${unknown.join(", ")}; accepted: ${RECORD_FIELDS.join(", ")}.`);
    }
    const name = document.name;
    if (typeof name !== "string" || !RULE_NAME.test(name) || `${name}.yml` !== fileName) {
        throw new AlertRuleRecordError(shown, `name ${JSON.stringify(name)} must be the file's own name (${fileName.replace(/\.yml$/, "")}): ` +
            "lower case letters, digits and _, starting with a letter.");
    }
    for (const field of ["label", "measures", "unit"] as const) {
        const text = document[field];
        if (typeof text !== "string" || !PLAIN_TEXT.test(text)) {
            throw new AlertRuleRecordError(shown, `${field} must be text of 1 to 200 characters without quotes, backslashes or line breaks.`);
        }
    }
    for (const field of ["ratio", "windowed"] as const) {
        if (typeof document[field] !== "boolean") {
            throw new AlertRuleRecordError(shown, `${field} must be true or false.`);
        }
    }
    const format = document.format;
    if (typeof format !== "string" || !(VALUE_FORMATS as readonly string[]).includes(format)) {
        throw new AlertRuleRecordError(shown, `format ${JSON.stringify(format)} is not one of ${VALUE_FORMATS.join(", ")}.`);
    }
    if (document.ratio === true && format !== "percent") {
        throw new AlertRuleRecordError(shown, `a ratio rule reads as a percentage: set format: percent (not ${format}).`);
    }
    const defaults = document.defaults;
    if (!isObject(defaults)) {
        throw new AlertRuleRecordError(shown, `defaults must be a mapping of ${RULE_FIELDS.join(", ")}.`);
    }
    const missing = RULE_FIELDS.filter((field) => !(field in defaults));
    const extra = Object.keys(defaults).filter((field) => !(RULE_FIELDS as readonly string[]).includes(field));
    if (missing.length > 0 || extra.length > 0) {
        throw new AlertRuleRecordError(shown, `defaults must give exactly ${RULE_FIELDS.join(", ")}` +
            (missing.length > 0 ? `; missing ${missing.join(", ")}` : "") + (extra.length > 0 ? `; unknown ${extra.join(", ")}` : "") + ".");
    }
    const problem = ruleProblem("defaults", defaults, document.ratio as boolean, document.unit as string);
    if (problem !== undefined) {
        throw new AlertRuleRecordError(shown, problem);
    }
    const sqlFileName = document.sql ?? `${name}.sql`;
    if (typeof sqlFileName !== "string" || !SQL_FILE_NAME.test(sqlFileName) || !fs.existsSync(path.join(root, sqlFileName))) {
        throw new AlertRuleRecordError(shown, `its SQL ${JSON.stringify(sqlFileName)} is not a .sql file beside the record; ` +
            `add ${name}.sql, or name a shared one with sql: <file>.sql.`);
    }
    if (!isObject(document.values)) {
        throw new AlertRuleRecordError(shown, "values must map each {{PLACEHOLDER}} of its SQL to a value.");
    }
    const values = Object.fromEntries(Object.entries(document.values).map(([placeholder, value]) =>
        [placeholder, sqlValue(shown, placeholder, value)]));
    const windowed = Object.values(values).some((value) => typeof value === "object" && "setting" in value);
    if (windowed !== document.windowed) {
        throw new AlertRuleRecordError(shown, document.windowed
            ? "is windowed, so its SQL must take the window: add a value {setting: windowMinutes}."
            : "is not windowed, yet a value takes {setting: windowMinutes}; set windowed: true or drop that value.");
    }
    return {
        name,
        label: document.label as string,
        measures: document.measures as string,
        unit: document.unit as string,
        ratio: document.ratio as boolean,
        windowed: document.windowed as boolean,
        format: format as ValueFormat,
        defaults: defaults as unknown as AlertRule,
        recordFile: file,
        sqlFile: path.join(root, sqlFileName),
        values,
    };
}

/**
 * Every record under `root`, by name. Production code uses the default root; the tests pass
 * another one to add a throwaway rule. Every .sql file there must belong to a record.
 */
export function loadAlertRules(root: string = ALERT_RULES_ROOT): readonly AlertRuleRecord[] {
    const entries = fs.readdirSync(root).sort();
    const records = entries.filter((entry) => entry.endsWith(".yml")).map((entry) => parseRecord(root, entry));
    if (records.length === 0) {
        throw new AlertRuleRecordError(root, "holds no rule record (<rule>.yml).");
    }
    const used = new Set(records.map((record) => path.basename(record.sqlFile)));
    const orphan = entries.find((entry) => entry.endsWith(".sql") && !used.has(entry));
    if (orphan !== undefined) {
        throw new AlertRuleRecordError(orphan, "is no rule's SQL: add its record (<rule>.yml), or name it with sql: in one.");
    }
    const stray = entries.find((entry) => !entry.endsWith(".sql") && !entry.endsWith(".yml"));
    if (stray !== undefined) {
        throw new AlertRuleRecordError(stray, "does not belong among the rules: only <rule>.yml records and their .sql files.");
    }
    return records;
}

/** The rules Wallmonitor deploys. */
export const ALERT_RULE_RECORDS: readonly AlertRuleRecord[] = loadAlertRules();
