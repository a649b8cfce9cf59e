import * as path from "path";

import { AlertRuleSet, parseAlertRules } from "../config/alerts";
import { ALERT_RULE_RECORDS, AlertRule, AlertRuleRecord, AlertRuleRecordError, RuleSqlValue, ValueFormat } from "./alertRules";
import { ALERT_HISTORY, ALERT_STATE } from "./alertTables";
import { WallmonitorConfig } from "../config/stack";
import { embeddedHandler, procedureEmbedding, ProcedureEmbedding } from "./embedding";
import { ident, literal, renderSql, RenderedSql, SQL_ROOT, SqlRows, SqlValue } from "./render";
import { RULE_STACK_VALUES } from "./sloRows";
import { TABLES } from "./tables";

/**
 * Every statement of alert evaluation (sql/alerts/), rendered for one stack. The procedure
 * EVALUATE_ALERTS embeds them (lib/sql/procedures.ts), the emulator tests run the same text
 * (scripts/render-sql.ts writes it out).
 */

export const ALERT_PROCEDURE = "EVALUATE_ALERTS";
export const ALERT_TASK = "EVALUATE_ALERTS_TASK";
export const ALERT_VIEWS = { history: "ALERT_HISTORY_VIEW", status: "ALERT_STATUS", rules: "ALERT_RULES" } as const;

/** The statement that computes a rule (one row per active agent); EVALUATE_ALERTS finds it in SETTINGS.ruleInfo. */
export function ruleStatementName(rule: string): string {
    return `rule_${rule}`;
}

/** The statement of each deployed rule, by rule. */
export const RULE_STATEMENTS: Readonly<Record<string, string>> = Object.fromEntries(
    ALERT_RULE_RECORDS.map((record) => [record.name, ruleStatementName(record.name)]));

/** Where EVALUATE_ALERTS sends: the email integration (with its recipients) and each webhook integration. */
export interface AlertChannel {
    readonly integration: string;
    readonly kind: "email" | "slack" | "teams" | "pagerduty";
    readonly minLevel: "WARNING" | "CRITICAL";
    readonly recipients?: readonly string[];
}

/**
 * Days of NOTIFICATION_HISTORY EVALUATE_ALERTS reads delivery results from: the function covers at
 * most 14 days (https://docs.snowflake.com/en/sql-reference/functions/notification_history), so a
 * notification queued longer ago without a result is recorded as UNKNOWN.
 */
export const DELIVERY_LOOKBACK_DAYS = 13;

/** What EVALUATE_ALERTS knows of each rule besides its thresholds: where its SQL is and how its value reads. */
export interface RuleInfo {
    readonly statement: string;
    readonly format: ValueFormat;
}

/** What the procedure embeds as SETTINGS (procedures/alerting.py). */
export interface AlertSettings {
    readonly stack: string;
    readonly deliveryLookbackDays: number;
    readonly cooldownMinutes: number;
    readonly rules: AlertRuleSet;
    /** Every rule the procedure evaluates, from its record. */
    readonly ruleInfo: Readonly<Record<string, RuleInfo>>;
    readonly channels: readonly AlertChannel[];
}

/** The email notification integration's name: account-wide, so derived from the database and schema. */
export function alertEmailIntegrationName(config: WallmonitorConfig): string {
    return `${config.database}_${config.schema}_ALERT_EMAIL`;
}

export function alertChannels(config: WallmonitorConfig): AlertChannel[] {
    const email: AlertChannel[] = config.alertEmailRecipients === undefined ? [] : [{
        integration: alertEmailIntegrationName(config), kind: "email", minLevel: "WARNING", recipients: config.alertEmailRecipients,
    }];
    const webhooks = (config.alertWebhooks ?? []).map((webhook): AlertChannel => ({
        integration: webhook.name, kind: webhook.kind, minLevel: webhook.minLevel,
    }));
    return [...email, ...webhooks];
}

/**
 * The rules in force: the configured ones, else the records' defaults. `records` are the rules
 * there are; config parsed against other records is refused rather than half applied.
 */
export function alertRulesInForce(config: WallmonitorConfig, records: readonly AlertRuleRecord[]): AlertRuleSet {
    const rules = config.alertRules ?? parseAlertRules("alertRules", undefined, records);
    const names = records.map((record) => record.name).sort();
    if (JSON.stringify(Object.keys(rules.defaults).sort()) !== JSON.stringify(names)) {
        throw new Error(`wallmonitor:alertRules was parsed for the rules ${Object.keys(rules.defaults).sort().join(", ")}, ` +
            `not the records given (${names.join(", ")}); parse it with the same records.`);
    }
    const idle = records.filter((record) => ruleIsIdle(record, config)).map((record) => record.name);
    if (idle.length === 0) {
        return rules;
    }
    const off = (rule: AlertRule): AlertRule => ({ ...rule, enabled: false });
    return {
        defaults: Object.fromEntries(Object.entries(rules.defaults).map(([name, rule]) => [name, idle.includes(name) ? off(rule) : rule])),
        agents: Object.fromEntries(Object.entries(rules.agents).map(([agent, overrides]) => [agent, Object.fromEntries(
            Object.entries(overrides).map(([name, rule]) => [name, idle.includes(name) && rule !== undefined ? off(rule) : rule]))])),
    };
}

/**
 * A rule taking a stack value the stack leaves empty (the burn-rate rules of a stack without
 * wallmonitor:slos) has nothing to evaluate: it is off, so EVALUATE_ALERTS does not run its
 * statement every cycle and the Alerts page shows it disabled.
 */
function ruleIsIdle(record: AlertRuleRecord, config: WallmonitorConfig): boolean {
    return Object.values(record.values).some((value) => typeof value === "object" && "stack" in value &&
        RULE_STACK_VALUES[value.stack]?.empty(config) === true);
}

export function alertSettings(config: WallmonitorConfig, records: readonly AlertRuleRecord[] = ALERT_RULE_RECORDS): AlertSettings {
    return {
        stack: `${config.database}.${config.schema}`,
        deliveryLookbackDays: DELIVERY_LOOKBACK_DAYS,
        cooldownMinutes: config.alertCooldownMinutes,
        rules: alertRulesInForce(config, records),
        ruleInfo: Object.fromEntries(records.map((record) => [record.name, {
            statement: ruleStatementName(record.name), format: record.format,
        }])),
        channels: alertChannels(config),
    };
}

/** The Wallmonitor tables a rule's `{table: NAME}` may name. */
const RULE_TABLES = new Set(TABLES.map((table) => table.name));

/** A rule's SQL, rendered for the stack from the values its record gives. */
function ruleSql(record: AlertRuleRecord, rules: AlertRuleSet, qualified: (name: string) => SqlValue,
                 config: WallmonitorConfig): RenderedSql {
    const resolve = (placeholder: string, value: RuleSqlValue): SqlValue => {
        if (typeof value === "number") {
            return value;
        }
        if ("table" in value) {
            if (!RULE_TABLES.has(value.table)) {
                throw new AlertRuleRecordError(path.basename(record.recordFile), `values.${placeholder} names the table ${value.table}, ` +
                    `which Wallmonitor does not create; the tables are ${[...RULE_TABLES].join(", ")}.`);
            }
            return qualified(value.table);
        }
        if ("setting" in value) {
            return rules.defaults[record.name].windowMinutes;
        }
        if ("column" in value) {
            return ident(value.column);
        }
        if ("stack" in value) {
            const stackValue = RULE_STACK_VALUES[value.stack];
            if (stackValue === undefined) {
                throw new AlertRuleRecordError(path.basename(record.recordFile), `values.${placeholder} names the stack value ` +
                    `${value.stack}, which rules cannot take; they take ${Object.keys(RULE_STACK_VALUES).join(", ")}.`);
            }
            return stackValue.value(config);
        }
        return literal(value.literal);
    };
    const values = Object.fromEntries(Object.entries(record.values).map(([placeholder, value]) => [placeholder, resolve(placeholder, value)]));
    // renderSql takes a path under sql/; a records root elsewhere (a test's) is reached relative to it.
    return renderSql(path.relative(SQL_ROOT, record.sqlFile).split(path.sep).join("/"), values);
}

/**
 * ALERT_RULES' rows: each rule as the stack sets it (AGENT_FULL_NAME NULL), then each agent's
 * overrides; flags as 1/0, which the view turns into BOOLEAN.
 */
export function alertRuleRows(records: readonly AlertRuleRecord[], rules: AlertRuleSet): SqlRows {
    const flag = (value: boolean) => (value ? 1 : 0);
    const row = (record: AlertRuleRecord, agent: string | null, rule: AlertRuleSet["defaults"][string]) => [
        literal(record.name), literal(record.label), literal(record.measures), literal(record.unit), literal(record.format),
        flag(record.ratio), flag(record.windowed), agent === null ? null : literal(agent),
        flag(rule.enabled), rule.warning, rule.critical, rule.windowMinutes, rule.minVolume,
    ];
    return {
        rows: [
            ...records.map((record) => row(record, null, rules.defaults[record.name])),
            ...Object.entries(rules.agents).flatMap(([agent, overrides]) => records
                .filter((record) => overrides[record.name] !== undefined)
                .map((record) => row(record, agent, overrides[record.name]!))),
        ],
    };
}

export interface AlertSql {
    /** Statements EVALUATE_ALERTS runs, by the name procedures/alerting.py looks up. */
    readonly statements: Readonly<Record<string, RenderedSql>>;
    readonly task: RenderedSql;
    readonly settings: AlertSettings;
    readonly views: Readonly<Record<(typeof ALERT_VIEWS)[keyof typeof ALERT_VIEWS], RenderedSql>>;
}

/** The alert SQL of a stack; `records` are the rules (the deployed ones; tests pass others). */
export function buildAlertSql(config: WallmonitorConfig, records: readonly AlertRuleRecord[] = ALERT_RULE_RECORDS): AlertSql {
    const qualified = (name: string) => ident(config.database, config.schema, name);
    const rules = alertRulesInForce(config, records);
    const alert = (file: string, values: Record<string, SqlValue>) => renderSql(`alerts/${file}.sql`, values);
    const state = { STATE_TABLE: qualified(ALERT_STATE.name) };
    const alertHistory = { HISTORY_TABLE: qualified(ALERT_HISTORY.name) };
    const statements: Record<string, RenderedSql> = {
        clock: alert("clock", {}),
        last_evaluation: alert("last_evaluation", state),
        read_state: alert("read_state", state),
        delete_state: alert("delete_state", state),
        insert_state: alert("insert_state", state),
        insert_history: alert("insert_history", alertHistory),
        begin_transaction: alert("begin_transaction", {}),
        commit_transaction: alert("commit_transaction", {}),
        rollback_transaction: alert("rollback_transaction", {}),
        pending_deliveries: alert("pending_deliveries", alertHistory),
        claim_delivery: alert("claim_delivery", alertHistory),
        sanitize_message: alert("sanitize_message", {}),
        send_notification: alert("send_notification", {}),
        record_delivery: alert("record_delivery", alertHistory),
        open_deliveries: alert("open_deliveries", alertHistory),
        notification_history: alert("notification_history", {
            NOTIFICATION_HISTORY: ident(config.database, "INFORMATION_SCHEMA", "NOTIFICATION_HISTORY"),
            LOOKBACK_DAYS: DELIVERY_LOOKBACK_DAYS,
        }),
        ...Object.fromEntries(records.map((record) => [ruleStatementName(record.name), ruleSql(record, rules, qualified, config)])),
    };
    return {
        statements,
        task: alert("evaluate_task", { PROCEDURE: qualified(ALERT_PROCEDURE) }),
        settings: alertSettings(config, records),
        views: {
            ALERT_HISTORY_VIEW: alert("alert_history_view", { HISTORY_TABLE: qualified(ALERT_HISTORY.name) }),
            ALERT_STATUS: alert("alert_status_view", state),
            ALERT_RULES: alert("alert_rules_view", { ALERT_RULE_ROWS: alertRuleRows(records, rules) }),
        },
    };
}

/** The handler module of EVALUATE_ALERTS (see its docstring). */
export const ALERTING_HANDLER_FILE = path.resolve(__dirname, "..", "..", "procedures", "alerting.py");

/**
 * A value as JSON inside a Python string literal, with every `$` written `\u0024` (which JSON
 * reads back as `$`): the body is $$-quoted, and an agent key in the rules may hold `$`.
 */
function dollarFreeJsonLiteral(value: unknown): string {
    return JSON.stringify(JSON.stringify(value)).replace(/\$/g, "\\\\u0024");
}

/**
 * What EVALUATE_ALERTS embeds besides its settings: the statements and their binds. Each rule's
 * statement is named in SETTINGS.ruleInfo, beside the rest of its record.
 */
export function alertingEmbedding(sql: AlertSql): ProcedureEmbedding {
    return procedureEmbedding(sql.statements, {});
}

/**
 * The deployed body of EVALUATE_ALERTS: the handler module followed by the lines filling its
 * STATEMENTS, BINDS (alertingEmbedding) and SETTINGS (JSON strings, which are also valid
 * Python string literals). Settings hold integration names and recipients, never a webhook credential.
 */
export function alertingProcedureDefinition(sql: AlertSql): string {
    return embeddedHandler(ALERTING_HANDLER_FILE, alertingEmbedding(sql), dollarFreeJsonLiteral) +
        `SETTINGS.update(_json.loads(${dollarFreeJsonLiteral(sql.settings)}))\n`;
}
