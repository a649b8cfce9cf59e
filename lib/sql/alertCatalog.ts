import * as path from "path";

import { ALERT_RULE_NAMES, AlertRuleName, SILENCE_BASELINE_DAYS, TOKEN_BASELINE_DAYS } from "../config/alerts";
import { ALERT_HISTORY, ALERT_STATE } from "./alertTables";
import { alertRuleSet, WallmonitorConfig } from "../config/stack";
import { embeddedHandler, procedureEmbedding, ProcedureEmbedding } from "./embedding";
import { ident, literal, renderSql, RenderedSql, SqlValue } from "./render";
import { AGENT_DAILY_ROLLUP, AGENT_EVENTS_HISTORY, AGENT_INGEST_STATE, AGENT_REGISTRY } from "./tables";

/**
 * Every statement of alert evaluation (sql/alerts/), rendered for one stack. The procedure
 * EVALUATE_ALERTS embeds them (lib/procedures.ts), the emulator tests run the same text
 * (scripts/render-sql.ts writes it out).
 */

export const ALERT_PROCEDURE = "EVALUATE_ALERTS";
export const ALERT_TASK = "EVALUATE_ALERTS_TASK";
export const ALERT_VIEWS = { history: "ALERT_HISTORY_VIEW", status: "ALERT_STATUS" } as const;

/** The statement that computes each rule (one row per active agent), by rule. */
export const RULE_STATEMENTS: Readonly<Record<AlertRuleName, string>> = {
    error_rate: "rule_error_rate",
    latency_p95: "rule_latency_p95",
    latency_p99: "rule_latency_p99",
    token_spike: "rule_token_spike",
    runaway_thread_turns: "rule_runaway_thread_turns",
    runaway_thread_steps: "rule_runaway_thread_steps",
    runaway_thread_tokens: "rule_runaway_thread_tokens",
    silent_agent: "rule_silent_agent",
    negative_feedback_rate: "rule_negative_feedback_rate",
    ingest_failing: "rule_ingest_failing",
    data_lag: "rule_data_lag",
};

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

/** What the procedure embeds as SETTINGS (procedures/alerting.py). */
export interface AlertSettings {
    readonly stack: string;
    readonly deliveryLookbackDays: number;
    readonly cooldownMinutes: number;
    readonly rules: ReturnType<typeof alertRuleSet>;
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

export function alertSettings(config: WallmonitorConfig): AlertSettings {
    return {
        stack: `${config.database}.${config.schema}`,
        deliveryLookbackDays: DELIVERY_LOOKBACK_DAYS,
        cooldownMinutes: config.alertCooldownMinutes,
        rules: alertRuleSet(config),
        channels: alertChannels(config),
    };
}

export interface AlertSql {
    /** Statements EVALUATE_ALERTS runs, by the name procedures/alerting.py looks up. */
    readonly statements: Readonly<Record<string, RenderedSql>>;
    readonly task: RenderedSql;
    readonly settings: AlertSettings;
    readonly views: Readonly<Record<(typeof ALERT_VIEWS)[keyof typeof ALERT_VIEWS], RenderedSql>>;
}

export function buildAlertSql(config: WallmonitorConfig): AlertSql {
    const qualified = (name: string) => ident(config.database, config.schema, name);
    const rules = alertRuleSet(config);
    const alert = (file: string, values: Record<string, SqlValue>) => renderSql(`alerts/${file}.sql`, values);
    const history = { HISTORY_TABLE: qualified(AGENT_EVENTS_HISTORY.name), REGISTRY_TABLE: qualified(AGENT_REGISTRY.name) };
    const window = (rule: AlertRuleName) => ({ WINDOW_MINUTES: rules.defaults[rule].windowMinutes });
    const state = { STATE_TABLE: qualified(ALERT_STATE.name) };
    const ruleSql: Record<AlertRuleName, RenderedSql> = {
        error_rate: alert("error_rate", { ...history, ...window("error_rate") }),
        latency_p95: alert("latency", { ...history, ...window("latency_p95"), PERCENTILE: 0.95, RULE_NAME: literal("latency_p95") }),
        latency_p99: alert("latency", { ...history, ...window("latency_p99"), PERCENTILE: 0.99, RULE_NAME: literal("latency_p99") }),
        token_spike: alert("token_spike", {
            ...history, ...window("token_spike"), AGENT_ROLLUP: qualified(AGENT_DAILY_ROLLUP.name), BASELINE_DAYS: TOKEN_BASELINE_DAYS,
        }),
        runaway_thread_turns: alert("thread_turns", { ...history, ...window("runaway_thread_turns") }),
        runaway_thread_steps: alert("thread_steps", { ...history, ...window("runaway_thread_steps") }),
        runaway_thread_tokens: alert("thread_tokens", { ...history, ...window("runaway_thread_tokens") }),
        silent_agent: alert("silent_agent", { ...history, ...window("silent_agent"), BASELINE_DAYS: SILENCE_BASELINE_DAYS }),
        negative_feedback_rate: alert("negative_feedback", { ...history, ...window("negative_feedback_rate") }),
        ingest_failing: alert("ingest_failing", {
            REGISTRY_TABLE: history.REGISTRY_TABLE, INGEST_STATE_TABLE: qualified(AGENT_INGEST_STATE.name),
        }),
        data_lag: alert("data_lag", { REGISTRY_TABLE: history.REGISTRY_TABLE, INGEST_STATE_TABLE: qualified(AGENT_INGEST_STATE.name) }),
    };
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
        ...Object.fromEntries(ALERT_RULE_NAMES.map((rule) => [RULE_STATEMENTS[rule], ruleSql[rule]])),
    };
    return {
        statements,
        task: alert("evaluate_task", { PROCEDURE: qualified(ALERT_PROCEDURE) }),
        settings: alertSettings(config),
        views: {
            ALERT_HISTORY_VIEW: alert("alert_history_view", { HISTORY_TABLE: qualified(ALERT_HISTORY.name) }),
            ALERT_STATUS: alert("alert_status_view", state),
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

/** What EVALUATE_ALERTS embeds besides its settings: the statements, their binds, and each rule's statement. */
export function alertingEmbedding(sql: AlertSql): ProcedureEmbedding {
    return procedureEmbedding(sql.statements, { rules: RULE_STATEMENTS });
}

/**
 * The deployed body of EVALUATE_ALERTS: the handler module followed by the lines filling its
 * STATEMENTS, BINDS, NAMES (alertingEmbedding) and SETTINGS (JSON strings, which are also valid
 * Python string literals). Settings hold integration names and recipients, never a webhook credential.
 */
export function alertingProcedureDefinition(sql: AlertSql): string {
    return embeddedHandler(ALERTING_HANDLER_FILE, alertingEmbedding(sql), dollarFreeJsonLiteral) +
        `SETTINGS.update(_json.loads(${dollarFreeJsonLiteral(sql.settings)}))\n`;
}
