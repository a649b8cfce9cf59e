// Types only: lib/tables.ts imports this module, so its constants are not yet defined here.
import type { TableDefinition } from "./tables";

// The spellings Snowflake reports back, as in lib/tables.ts.
const TEXT = "VARCHAR(16777216)";
const INTEGER = "NUMBER(38,0)";
const TIMESTAMP = "TIMESTAMP_NTZ(9)";
const FLOAT = "FLOAT";

/**
 * The alerting tables (issue 7). Both are written only by EVALUATE_ALERTS (procedures/alerting.py)
 * and read by the viewer through the ALERT_HISTORY_VIEW / ALERT_STATUS views; neither holds
 * conversation text.
 */

const alertKey = [
    { name: "RULE_NAME", type: TEXT, nullable: false, comment: "error_rate, latency_p95, ... (lib/alertConfig.ts)" },
    { name: "AGENT_DATABASE", type: TEXT, nullable: false },
    { name: "AGENT_SCHEMA", type: TEXT, nullable: false },
    { name: "AGENT_NAME", type: TEXT, nullable: false },
] as const;

export const ALERT_STATE: TableDefinition = {
    name: "ALERT_STATE",
    comment: "One row per rule and agent that has fired: its open incident (or OK), for cooldown and recovery.",
    columns: [
        ...alertKey,
        { name: "LEVEL", type: TEXT, comment: "OK, WARNING or CRITICAL as of the last evaluation" },
        { name: "INCIDENT_ID", type: TEXT, comment: "The open (or last) incident" },
        { name: "VALUE", type: FLOAT, comment: "The rule's value at the last evaluation" },
        { name: "THRESHOLD", type: FLOAT, comment: "The threshold of LEVEL (or of the incident's level once clear)" },
        { name: "FIRST_SEEN", type: TIMESTAMP, comment: "When the open incident started firing" },
        { name: "LAST_SEEN", type: TIMESTAMP, comment: "The last evaluation that found it firing" },
        { name: "CLEAR_SINCE", type: TIMESTAMP, comment: "First evaluation found clear; the incident recovers after alertCooldownMinutes clear" },
        { name: "NOTIFIED_LEVEL", type: TEXT, comment: "Highest level notified for the open incident" },
        { name: "LAST_NOTIFIED_AT", type: TIMESTAMP },
        { name: "RECOVERED_AT", type: TIMESTAMP },
        { name: "LAST_EVALUATED_AT", type: TIMESTAMP },
    ],
    naturalKeyNotCreated: ["RULE_NAME", "AGENT_DATABASE", "AGENT_SCHEMA", "AGENT_NAME"],
    holdsRawEvents: false,
    changeTracking: false,
};

export const ALERT_HISTORY: TableDefinition = {
    name: "ALERT_HISTORY",
    comment: "Every firing, escalation and recovery of an alert, and where it was notified.",
    columns: [
        { name: "INCIDENT_ID", type: TEXT, nullable: false },
        { name: "EVENT_TYPE", type: TEXT, nullable: false, comment: "FIRING, ESCALATED or RECOVERED" },
        ...alertKey,
        { name: "LEVEL", type: TEXT, comment: "WARNING or CRITICAL (for RECOVERED: the highest level of the incident)" },
        { name: "VALUE", type: FLOAT },
        { name: "THRESHOLD", type: FLOAT },
        { name: "WINDOW_MINUTES", type: INTEGER },
        { name: "VOLUME", type: INTEGER, comment: "Turns or feedback events the value was computed from" },
        { name: "BASELINE", type: FLOAT, comment: "The agent's own baseline, for the rules that compare with one" },
        { name: "DETAIL", type: TEXT, comment: "The worst thread, or the ingestion error" },
        { name: "FIRST_SEEN", type: TIMESTAMP },
        { name: "LAST_SEEN", type: TIMESTAMP },
        { name: "EVALUATED_AT", type: TIMESTAMP, nullable: false },
        { name: "NOTIFIED_VIA", type: TEXT, comment: "Integrations notified, comma-separated; failures as name (failed); NONE" },
        { name: "MESSAGE", type: TEXT },
        { name: "DELIVERY_KEY", type: TEXT, comment: "INCIDENT_ID/EVENT_TYPE/LEVEL: the transition, sent at most once" },
        {
            name: "DELIVERY_STATUS", type: TEXT,
            comment: "NONE, PENDING, SENDING, QUEUED, RETRYING, DELIVERED, FAILED or UNKNOWN (from NOTIFICATION_HISTORY)",
        },
        { name: "DELIVERIES", type: TEXT, comment: "Per integration: queued at, request id, status and error (JSON)" },
        { name: "DELIVERY_ERROR", type: TEXT, comment: "Why a delivery failed, per integration (shortened, sanitised)" },
        { name: "DELIVERY_CHECKED_AT", type: TIMESTAMP, comment: "When DELIVERY_STATUS was last updated" },
    ],
    holdsRawEvents: false,
    changeTracking: false,
};

export const ALERT_TABLES: readonly TableDefinition[] = [ALERT_STATE, ALERT_HISTORY];
