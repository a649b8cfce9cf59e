import { agentLocationName, WallmonitorConfig } from "../lib/config/stack";
import { ident } from "../lib/sql/render";
import { cell, Check, DoctorContext, ownerOrLogin } from "./context";
import { count, Finding } from "./report";
import { doctorStatement } from "./sql";

/**
 * Event access: the event table's reader role, whether the owner role alone can read the table,
 * which agents it can see against those that wrote events, and which redaction applies on each
 * ingest path the stack uses.
 */

/** How far back the doctor looks for events: the newest week. */
export const LOOKBACK_DAYS = 7;

/** The event table's reader role and its older name (https://docs.snowflake.com/en/sql-reference/local/ai_observability_events). */
export const READER_ROLES = ["AI_OBSERVABILITY_READER", "AI_OBSERVABILITY_EVENTS_LOOKUP"];

/** The account privilege that lifts redaction on the GET_AI_* functions (https://docs.snowflake.com/en/release-notes/bcr-bundles/un-bundled/bcr-read-unredacted-ai-observability-events). */
export const READ_UNREDACTED = "READ UNREDACTED AI OBSERVABILITY EVENTS TABLE";

function readsEventTable(config: WallmonitorConfig): boolean {
    return config.ingestPath !== "per_agent";
}

function readsPerAgent(config: WallmonitorConfig): boolean {
    return config.ingestPath !== "event_table";
}

/** `LIKE` as Snowflake matches it, for the agent include and exclude patterns. */
function like(pattern: string, value: string): boolean {
    const regex = pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/%/g, ".*").replace(/_/g, ".");
    return new RegExp(`^${regex}$`, "i").test(value);
}

function inLocations(config: WallmonitorConfig, agent: string): boolean {
    return (config.agentLocations ?? []).some((location) => agent.startsWith(`${agentLocationName(location)}.`));
}

interface SeenAgent {
    readonly name: string;
    readonly events: number;
}

/** The agents that wrote events in the window, as the login role reads them (undefined when it cannot). */
async function agentsInEvents(context: DoctorContext): Promise<{ agents: SeenAgent[] } | { error: string }> {
    return context.as(undefined, async (session) => {
        const result = await session.attempt(doctorStatement("agents_in_events", { LOOKBACK_DAYS }));
        if ("error" in result) {
            return { error: result.error };
        }
        return { agents: result.rows.map((row) => ({
            name: [cell(row, "AGENT_DATABASE"), cell(row, "AGENT_SCHEMA"), cell(row, "AGENT_NAME")].join(".").toUpperCase(),
            events: Number(cell(row, "EVENTS")),
        })) };
    });
}

export const eventsCheck: Check = async (context) => {
    const { config } = context;
    const owner = ownerOrLogin(context);
    const as = owner === undefined ? "the login role (the owner role does not exist yet)" : `role ${owner} alone (no secondary roles)`;
    const findings: Finding[] = [];
    const seen = await agentsInEvents(context);
    await context.as(owner, async (session) => {
        const roles = await session.attempt(doctorStatement("application_roles"));
        const present = "error" in roles ? [] : READER_ROLES.filter((name) => roles.rows.some((row) => cell(row, "name").toUpperCase() === name));
        if ("error" in roles) {
            // Whether SHOW APPLICATION ROLES lists the SNOWFLAKE application's roles is not documented: the read below decides.
            findings.push({ area: "events", status: "not-checked", title: "the SNOWFLAKE application's roles could not be listed", evidence: roles.error });
        } else if (present.length > 0) {
            findings.push({ area: "events", status: "pass", title: `application role SNOWFLAKE.${present[0]} exists` });
        } else {
            findings.push({
                area: "events", status: readsEventTable(config) ? "fail" : "warn",
                title: "neither SNOWFLAKE.AI_OBSERVABILITY_READER nor SNOWFLAKE.AI_OBSERVABILITY_EVENTS_LOOKUP is visible",
                evidence: "SHOW APPLICATION ROLES IN APPLICATION SNOWFLAKE lists neither",
                fix: readsEventTable(config) ? "set wallmonitor:ingestPath to per_agent (with wallmonitor:agentLocations), or ask Snowflake " +
                    "support why the account has no AI observability reader role" : undefined,
            });
        }
        const newest = await session.attempt(doctorStatement("newest_event", { LOOKBACK_DAYS }));
        if ("error" in newest) {
            findings.push({
                area: "events", status: config.ingestPath === "event_table" ? "fail" : "warn",
                title: `the event table is not readable by ${as}`,
                evidence: newest.error,
                fix: config.ingestPath === "event_table"
                    ? `GRANT APPLICATION ROLE SNOWFLAKE.AI_OBSERVABILITY_READER TO ROLE ${config.ownerRole} (pulumi up does this), ` +
                      "or set wallmonitor:ingestPath to per_agent"
                    : "ingestion falls back to reading agent by agent (GET_AI_OBSERVABILITY_EVENTS)",
            });
        } else {
            const row = newest.rows[0] ?? {};
            findings.push({
                area: "events", status: "pass", title: `the event table is readable by ${as}`,
                evidence: `${cell(row, "EVENTS") || "0"} Cortex Agent events in the last ${LOOKBACK_DAYS} days, newest ${cell(row, "NEWEST_EVENT") || "none"}`,
            });
        }
        if ("error" in seen) {
            findings.push({ area: "events", status: "not-checked", title: "which agents wrote events: the login role cannot read the event table",
                evidence: seen.error });
        } else {
            const shown = await session.query(doctorStatement("show_agents"));
            const visible = new Set(shown.map((row) => [cell(row, "database_name"), cell(row, "schema_name"), cell(row, "name")].join(".").toUpperCase()));
            const wanted = seen.agents.filter((agent) => like(config.agentIncludePattern, agent.name) &&
                (config.agentExcludePattern === undefined || !like(config.agentExcludePattern, agent.name)));
            findings.push({ area: "events", status: "pass",
                title: `${count(seen.agents.length, "agent")} wrote events in the last ${LOOKBACK_DAYS} days; ${wanted.length} match the agent patterns`,
                evidence: seen.agents.map((agent) => `${agent.name} (${agent.events} events)`).join(", ") || "none" });
            for (const agent of wanted) {
                if (readsPerAgent(config) && !inLocations(config, agent.name)) {
                    findings.push({ area: "events", status: config.ingestPath === "per_agent" ? "fail" : "warn",
                        title: `agent ${agent.name} is outside wallmonitor:agentLocations: the per-agent path never reads it`,
                        fix: `add ${agent.name.split(".").slice(0, 2).join(".")} to wallmonitor:agentLocations` });
                }
                if (owner === undefined) {
                    continue;
                }
                if (!visible.has(agent.name)) {
                    findings.push({
                        area: "events", status: config.ingestPath === "per_agent" ? "fail" : "warn",
                        title: `agent ${agent.name} wrote ${agent.events} events but role ${owner} cannot see it (SHOW AGENTS)`,
                        evidence: config.ingestPath === "per_agent" ? "the per-agent path reads only agents the owner holds MONITOR on: it ingests nothing from this one"
                            : "the event-table path still reads its events; a fallback to the per-agent path would not",
                        fix: `GRANT MONITOR ON AGENT ${agent.name} TO ROLE ${owner}, or add its schema to wallmonitor:agentLocations and run pulumi up`,
                    });
                }
            }
            if (owner !== undefined) {
                const invisible = wanted.filter((agent) => !visible.has(agent.name)).length;
                if (invisible === 0) {
                    findings.push({ area: "events", status: "pass", title: `role ${owner} sees every agent that wrote events (${visible.size} visible)` });
                }
            } else {
                findings.push({ area: "events", status: "not-checked", title: "which agents the owner role can see: it does not exist before pulumi up" });
            }
        }
        findings.push(...await redaction(context, owner, (role) =>
            session.query(doctorStatement("grants_to_role", { ROLE: ident(role) }))));
    });
    return findings;
};

async function redaction(context: DoctorContext, owner: string | undefined,
                         grantsOf: (role: string) => Promise<readonly Readonly<Record<string, unknown>>[]>): Promise<Finding[]> {
    const { config } = context;
    const findings: Finding[] = [];
    if (readsEventTable(config)) {
        findings.push({ area: "events", status: "pass", title: "event-table path: direct reads are not redacted",
            evidence: config.storeConversationText ? "conversation text is stored (storeConversationText)" : "no conversation text is stored (storeConversationText false)" });
    }
    if (!readsPerAgent(config)) {
        return findings;
    }
    if (owner === undefined) {
        findings.push({ area: "events", status: "not-checked", title: `per-agent path: whether role ${config.ownerRole} holds ${READ_UNREDACTED}: it does not exist yet` });
        return findings;
    }
    const holds = (await grantsOf(owner)).some((row) => cell(row, "privilege").toUpperCase() === READ_UNREDACTED);
    if (config.readUnredactedEvents && !holds) {
        findings.push({ area: "events", status: "fail", title: `per-agent path: text is redacted, but the stack takes it as unredacted (readUnredactedEvents)`,
            evidence: `role ${owner} does not hold ${READ_UNREDACTED}`,
            fix: `GRANT ${READ_UNREDACTED} ON ACCOUNT TO ROLE ${owner} (pulumi up does this), or set wallmonitor:readUnredactedEvents to false` });
    } else {
        findings.push({ area: "events", status: "pass",
            title: `per-agent path: text ${holds ? "not redacted" : "redacted"} (role ${owner} ${holds ? "holds" : "does not hold"} ${READ_UNREDACTED})`,
            evidence: holds ? undefined : "names, types, tokens, latency and models stay visible; tool inputs and outputs, messages and feedback text are hidden" });
    }
    return findings;
}
