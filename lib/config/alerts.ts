/**
 * Alerting configuration (issue 7): the detections, their warning and critical thresholds,
 * stack-wide defaults with per-agent overrides, and where notifications go. Parsed from the
 * `wallmonitor:alert*` keys by lib/config.ts; every error is a ConfigError naming the key.
 *
 * `alertRules` is JSON:
 *
 *     {"defaults": {"error_rate": {"warning": 0.2, "critical": 0.4, "minVolume": 20}},
 *      "agents": {"SALES_DB.AGENTS.SALES_BOT": {"latency_p95": {"warning": 30000}, "silent_agent": {"enabled": false}}}}
 *
 * The rules, their meaning and their built-in defaults are the records in sql/alerts/rules/
 * (lib/sql/alertRules.ts). Anything not given keeps the built-in default. A rule's window is
 * stack-wide (it is part of the rendered SQL); thresholds, minimum volume and `enabled` can be
 * overridden per agent.
 */

import {
    ALERT_RULE_RECORDS, AlertRule, AlertRuleRecord, RULE_FIELDS, ruleProblem,
} from "../sql/alertRules";

/** A rule's name: one record in sql/alerts/rules/ (lib/sql/alertRules.ts). */
export type AlertRuleName = string;

export const ALERT_LEVELS = ["WARNING", "CRITICAL"] as const;
export type AlertLevel = (typeof ALERT_LEVELS)[number];

/** The rules' built-in defaults, from their records. */
export function ruleDefaults(records: readonly AlertRuleRecord[]): Readonly<Record<AlertRuleName, AlertRule>> {
    return Object.fromEntries(records.map((record) => [record.name, record.defaults]));
}

/** The deployed rules' names and built-in defaults (chosen so a month of ordinary traffic fires nothing: test/sql/test_alerts.py counts it). */
export const ALERT_RULE_NAMES: readonly AlertRuleName[] = ALERT_RULE_RECORDS.map((record) => record.name);
export const ALERT_RULE_DEFAULTS = ruleDefaults(ALERT_RULE_RECORDS);

export interface AlertRuleSet {
    readonly defaults: Readonly<Record<AlertRuleName, AlertRule>>;
    /** `DB.SCHEMA.AGENT` -> the rules that differ for it (complete rules, defaults filled in). */
    readonly agents: Readonly<Record<string, Partial<Record<AlertRuleName, AlertRule>>>>;
}

export const WEBHOOK_KINDS = ["slack", "teams", "pagerduty"] as const;
export type WebhookKind = (typeof WEBHOOK_KINDS)[number];

export interface AlertWebhook {
    /** Snowflake name of the notification integration (UPPERCASE identifier, account-wide). */
    readonly name: string;
    readonly kind: WebhookKind;
    /** The wallmonitor: config key holding the secret (set with `pulumi config set --secret`). */
    readonly secretKey: string;
    /** The lowest level sent to it. */
    readonly minLevel: AlertLevel;
}

/** An error in an alert key; lib/config.ts turns it into a ConfigError for `key`. */
export class AlertConfigError extends Error {
    constructor(readonly key: string, message: string) {
        super(message);
    }
}

const AGENT_KEY = /^[A-Z_][A-Z0-9_$]*\.[A-Z_][A-Z0-9_$]*\.[A-Z_][A-Z0-9_$]*$/;
const CONFIG_KEY = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;
const IDENTIFIER = /^[A-Z_][A-Z0-9_$]{0,254}$/;
/** An address Snowflake's email integration accepts: one @, no quotes, commas or spaces. */
export const EMAIL_PATTERN = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseJson(key: string, raw: string, example: string): unknown {
    try {
        return JSON.parse(raw);
    } catch (error) {
        throw new AlertConfigError(key, `is not valid JSON (${(error as Error).message}); for example ${example}.`);
    }
}

function checkRule(key: string, where: string, record: AlertRuleRecord, base: AlertRule, value: unknown, agentLevel: boolean): AlertRule {
    const name = record.name;
    if (!isObject(value)) {
        throw new AlertConfigError(key, `${where}.${name} must be an object such as {"warning": ${base.warning}}.`);
    }
    const unknown = Object.keys(value).filter((field) => !(RULE_FIELDS as readonly string[]).includes(field));
    if (unknown.length > 0) {
        throw new AlertConfigError(key, `${where}.${name} has unknown field(s) ${unknown.join(", ")}; accepted: ${RULE_FIELDS.join(", ")}.`);
    }
    if (agentLevel && value.windowMinutes !== undefined) {
        throw new AlertConfigError(key, `${where}.${name}.windowMinutes cannot be set per agent (the window is part of the ` +
            `deployed SQL); set it under defaults.${name}.`);
    }
    const rule: AlertRule = {
        enabled: value.enabled === undefined ? base.enabled : (value.enabled as boolean),
        warning: value.warning === undefined ? base.warning : (value.warning as number),
        critical: value.critical === undefined ? base.critical : (value.critical as number | null),
        windowMinutes: value.windowMinutes === undefined ? base.windowMinutes : (value.windowMinutes as number),
        minVolume: value.minVolume === undefined ? base.minVolume : (value.minVolume as number),
    };
    const problem = ruleProblem(`${where}.${name}`, { ...rule }, record.ratio, record.unit);
    if (problem !== undefined) {
        throw new AlertConfigError(key, problem);
    }
    return rule;
}

function ruleEntries(key: string, where: string, value: unknown, records: readonly AlertRuleRecord[]): [AlertRuleRecord, unknown][] {
    const names = records.map((record) => record.name).join(", ");
    if (!isObject(value)) {
        throw new AlertConfigError(key, `${where} must be an object of rules (${names}).`);
    }
    return Object.entries(value).map(([name, rule]) => {
        const record = records.find((candidate) => candidate.name === name);
        if (record === undefined) {
            throw new AlertConfigError(key, `${where} names an unknown rule "${name}"; the rules are ${names}.`);
        }
        return [record, rule];
    });
}

/**
 * `alertRules`: the built-in defaults with what the JSON changes. `records` are the rules
 * there are (the deployed ones; tests pass others).
 */
export function parseAlertRules(key: string, raw: string | undefined,
                                records: readonly AlertRuleRecord[] = ALERT_RULE_RECORDS): AlertRuleSet {
    const builtIn = ruleDefaults(records);
    if (raw === undefined) {
        return { defaults: builtIn, agents: {} };
    }
    const example = '{"defaults": {"error_rate": {"warning": 0.2}}, "agents": {"DB.SCHEMA.AGENT": {"latency_p95": {"warning": 30000}}}}';
    const document = parseJson(key, raw, example);
    if (!isObject(document)) {
        throw new AlertConfigError(key, `must be a JSON object, for example ${example}.`);
    }
    const extra = Object.keys(document).filter((field) => field !== "defaults" && field !== "agents");
    if (extra.length > 0) {
        throw new AlertConfigError(key, `has unknown field(s) ${extra.join(", ")}; use "defaults" and "agents".`);
    }
    const defaults: Record<AlertRuleName, AlertRule> = { ...builtIn };
    for (const [record, rule] of ruleEntries(key, "defaults", document.defaults ?? {}, records)) {
        defaults[record.name] = checkRule(key, "defaults", record, builtIn[record.name], rule, false);
    }
    const agents: Record<string, Partial<Record<AlertRuleName, AlertRule>>> = {};
    const agentsDocument = document.agents ?? {};
    if (!isObject(agentsDocument)) {
        throw new AlertConfigError(key, "agents must be an object keyed by DATABASE.SCHEMA.AGENT.");
    }
    for (const [agent, rules] of Object.entries(agentsDocument)) {
        if (!AGENT_KEY.test(agent)) {
            throw new AlertConfigError(key, `agents key "${agent}" is not DATABASE.SCHEMA.AGENT in unquoted UPPERCASE identifiers ` +
                "(for example SALES_DB.AGENTS.SALES_BOT).");
        }
        agents[agent] = Object.fromEntries(ruleEntries(key, `agents.${agent}`, rules, records)
            .map(([record, rule]) => [record.name, checkRule(key, `agents.${agent}`, record, defaults[record.name], rule, true)]));
    }
    return { defaults, agents };
}

/** `alertEmailRecipients`: comma-separated addresses (each must be a verified user's address in the account). */
export function parseEmailRecipients(key: string, raw: string | undefined): string[] | undefined {
    if (raw === undefined) {
        return undefined;
    }
    const recipients = raw.split(",").map((address) => address.trim()).filter((address) => address !== "");
    const bad = recipients.find((address) => !EMAIL_PATTERN.test(address));
    if (recipients.length === 0 || bad !== undefined) {
        throw new AlertConfigError(key, `"${bad ?? raw}" is not a comma-separated list of email addresses ` +
            "(for example oncall@acme.com,data-platform@acme.com); each must be a verified email of a user in the account.");
    }
    if (new Set(recipients.map((address) => address.toLowerCase())).size !== recipients.length) {
        throw new AlertConfigError(key, "lists an address twice.");
    }
    return recipients;
}

/** `alertWebhooks`: JSON list of {name, kind, secretKey, minLevel?}. */
export function parseWebhooks(key: string, raw: string | undefined): AlertWebhook[] | undefined {
    if (raw === undefined) {
        return undefined;
    }
    const example = '[{"name": "WALLMONITOR_ALERTS_SLACK", "kind": "slack", "secretKey": "alertSlackWebhookUrl"}]';
    const document = parseJson(key, raw, example);
    if (!Array.isArray(document) || document.length === 0) {
        throw new AlertConfigError(key, `must be a non-empty JSON list, for example ${example}.`);
    }
    const webhooks = document.map((entry, index): AlertWebhook => {
        const at = `entry ${index}`;
        if (!isObject(entry)) {
            throw new AlertConfigError(key, `${at} must be an object, for example ${example}.`);
        }
        const unknown = Object.keys(entry).filter((field) => !["name", "kind", "secretKey", "minLevel"].includes(field));
        if (unknown.length > 0) {
            throw new AlertConfigError(key, `${at} has unknown field(s) ${unknown.join(", ")}; accepted: name, kind, secretKey, minLevel.`);
        }
        if (typeof entry.name !== "string" || !IDENTIFIER.test(entry.name)) {
            throw new AlertConfigError(key, `${at}: name ${JSON.stringify(entry.name)} is not an unquoted UPPERCASE Snowflake ` +
                "identifier (it names the notification integration, unique in the account).");
        }
        if (entry.name.includes("$")) {
            // The name goes into EVALUATE_ALERTS' $$-quoted body (its settings), where $$ ends the body.
            throw new AlertConfigError(key, `${at}: name ${JSON.stringify(entry.name)} contains $, which the integration ` +
                "name may not hold: it is written into the $$-quoted body of EVALUATE_ALERTS. Use letters A-Z, digits and _ " +
                "(for example WALLMONITOR_ALERTS_SLACK).");
        }
        if (typeof entry.kind !== "string" || !(WEBHOOK_KINDS as readonly string[]).includes(entry.kind)) {
            throw new AlertConfigError(key, `${at}: kind ${JSON.stringify(entry.kind)} is not one of ${WEBHOOK_KINDS.join(", ")}, ` +
                "the only webhooks Snowflake notification integrations accept.");
        }
        if (typeof entry.secretKey !== "string" || !CONFIG_KEY.test(entry.secretKey)) {
            throw new AlertConfigError(key, `${at}: secretKey ${JSON.stringify(entry.secretKey)} must name the wallmonitor: config ` +
                "key that holds the webhook secret (for example alertSlackWebhookUrl).");
        }
        const minLevel = entry.minLevel ?? "WARNING";
        if (typeof minLevel !== "string" || !(ALERT_LEVELS as readonly string[]).includes(minLevel)) {
            throw new AlertConfigError(key, `${at}: minLevel ${JSON.stringify(minLevel)} is not WARNING or CRITICAL.`);
        }
        return { name: entry.name, kind: entry.kind as WebhookKind, secretKey: entry.secretKey, minLevel: minLevel as AlertLevel };
    });
    const names = webhooks.map((webhook) => webhook.name);
    const twice = names.find((name, index) => names.indexOf(name) !== index);
    if (twice !== undefined) {
        throw new AlertConfigError(key, `names the integration ${twice} twice.`);
    }
    return webhooks;
}

/**
 * Where a webhook's secret goes. Snowflake accepts only these webhooks (a notification
 * integration to any other host is refused), and the part of the URL that is the credential
 * is replaced by SNOWFLAKE_WEBHOOK_SECRET, filled from the Snowflake secret when sending:
 *
 * - Slack: `https://hooks.slack.com/services/<secret>`; configure the whole URL.
 * - Microsoft Teams (Workflows; the logic.azure.com form stopped on 30 Nov 2025):
 *   `https://<host>.environment.api.powerplatform.com/powerautomate/automations/direct/workflows/<secret>`, where the
 *   secret is the rest of the URL (workflow id, path and the query string with its `sig`); configure the whole URL.
 * - PagerDuty: `https://events.pagerduty.com/v2/enqueue` with the integration (routing) key in the
 *   body; configure the 32-character routing key.
 */
export interface WebhookTarget {
    /** The URL with the credential replaced by SNOWFLAKE_WEBHOOK_SECRET; safe to show. */
    readonly url: string;
    /** The credential, kept only as a Pulumi secret and in the Snowflake secret. */
    readonly secret: string;
}

const SLACK = /^https:\/\/hooks\.slack\.com\/services\/([A-Za-z0-9]+\/[A-Za-z0-9]+\/[A-Za-z0-9]+)$/;
const TEAMS = /^https:\/\/([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.environment\.api\.powerplatform\.com)(:443)?\/powerautomate\/automations\/direct\/workflows\/([A-Za-z0-9]+)\/triggers\/manual\/paths\/invoke(\?[A-Za-z0-9%=&._~-]*)?$/;
const PAGERDUTY_KEY = /^[A-Za-z0-9]{32}$/;

/** Splits a configured webhook secret into the URL Snowflake stores and the credential; throws naming `key` (never the value). */
export function webhookTarget(key: string, kind: WebhookKind, value: string): WebhookTarget {
    const trimmed = value.trim();
    if (kind === "slack") {
        const match = SLACK.exec(trimmed);
        if (match === null) {
            throw new AlertConfigError(key, "is not a Slack incoming-webhook URL (https://hooks.slack.com/services/T…/B…/…); " +
                "Snowflake sends webhooks only to hooks.slack.com, Microsoft Teams workflows and PagerDuty.");
        }
        return { url: "https://hooks.slack.com/services/SNOWFLAKE_WEBHOOK_SECRET", secret: match[1] };
    }
    if (kind === "teams") {
        const match = TEAMS.exec(trimmed);
        if (match === null) {
            throw new AlertConfigError(key, "is not a Microsoft Teams workflow URL (https://<host>.environment.api.powerplatform.com/" +
                "powerautomate/automations/direct/workflows/<id>/triggers/manual/paths/invoke?...); the older logic.azure.com " +
                "URLs stopped working on 30 Nov 2025, and Snowflake accepts no other host.");
        }
        // Everything after /workflows/ is the credential: the workflow id and the signature (sig=) in the query.
        return {
            url: `https://${match[1]}/powerautomate/automations/direct/workflows/SNOWFLAKE_WEBHOOK_SECRET`,
            secret: `${match[4]}/triggers/manual/paths/invoke${match[5] ?? ""}`,
        };
    }
    if (!PAGERDUTY_KEY.test(trimmed)) {
        throw new AlertConfigError(key, "is not a PagerDuty Events API v2 integration (routing) key: 32 letters and digits. " +
            "Snowflake posts to https://events.pagerduty.com/v2/enqueue only.");
    }
    return { url: "https://events.pagerduty.com/v2/enqueue", secret: trimmed };
}
