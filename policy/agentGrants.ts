// Types only: rules.ts lists this rule in RULES, so a value imported from it here would be a cycle.
import type { PolicyRule, PolicySubject } from "./subject";

/**
 * What Wallmonitor may be granted on Cortex Agents, and where. The owner role reads agents one by
 * one with MONITOR (https://docs.snowflake.com/en/sql-reference/functions/get_ai_observability_events-snowflake-local),
 * granted on all and future agents in the databases or schemas wallmonitor:agentLocations names
 * (components/observability.ts). So:
 *
 * - MONITOR is the only privilege on agents (USAGE would let the role run them, MODIFY change them);
 * - only in a database or schema, and, when the stack's agent locations are known (policy config
 *   `agentLocations`, the stack's `agentLocations` output offline), only in those;
 * - never to a viewer role;
 * - nothing account-wide that reaches every agent: MONITOR or MANAGE GRANTS on the account
 *   (MANAGE GRANTS lists every agent in SHOW AGENTS: https://docs.snowflake.com/en/sql-reference/sql/show-agents).
 */

/** A grant on agents, or an account-wide grant, found in a resource. */
interface AgentGrant {
    readonly privileges: readonly string[];
    /** `ALL AGENTS IN SCHEMA DB.S`, `AGENT DB.S.A`, `ACCOUNT`. */
    readonly on: string;
    /** The database or schema it reaches (undefined for ACCOUNT). */
    readonly location?: string;
    readonly grantee: string;
    readonly where: string;
}

const AGENT_GRANT_SQL = /\bGRANT\s+(.+?)\s+ON\s+(?:(ALL|FUTURE)\s+AGENTS\s+IN\s+(DATABASE|SCHEMA)\s+|(AGENT)\s+)([A-Z0-9_$."]+)\s+TO\s+ROLE\s+([A-Z0-9_$."]+)/i;
const ACCOUNT_GRANT_SQL = /\bGRANT\s+(.+?)\s+ON\s+ACCOUNT\s+TO\s+ROLE\s+([A-Z0-9_$."]+)/i;
/** Account privileges that reach every agent. */
const ACCOUNT_WIDE = ["MONITOR", "MANAGE GRANTS"];

/** The rendered statements ({file, text}) anywhere in a dynamic resource's inputs, with where they are. */
function renderedStatements(value: unknown, where = "", found: { where: string; text: string }[] = []): { where: string; text: string }[] {
    if (Array.isArray(value)) {
        value.forEach((item, index) => renderedStatements(item, `${where}[${index}]`, found));
    } else if (value !== null && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (typeof record.file === "string" && typeof record.text === "string") {
            found.push({ where: `${where} (${record.file})`, text: record.text });
        } else {
            for (const key of Object.keys(record).filter((candidate) => candidate !== "__provider").sort()) {
                renderedStatements(record[key], where === "" ? key : `${where}.${key}`, found);
            }
        }
    }
    return found;
}

const unquote = (name: string) => name.replace(/"/g, "").toUpperCase();
const oneLine = (text: string) => text.split("\n").map((line) => line.replace(/--.*$/, "")).join(" ").replace(/\s+/g, " ").trim();
const list = (privileges: string) => privileges.split(",").map((privilege) => privilege.trim().toUpperCase());

/** Agent and account grants in a resource: GRANT statements of Wallmonitor's provider, and the Snowflake provider's grant resources. */
export function agentGrantsOf(subject: PolicySubject): AgentGrant[] {
    const found: AgentGrant[] = [];
    if (subject.type.startsWith("pulumi-nodejs:dynamic/")) {
        for (const statement of renderedStatements(subject.props)) {
            const sql = oneLine(statement.text);
            const agents = AGENT_GRANT_SQL.exec(sql);
            if (agents !== null) {
                const [, privileges, scope, containerType, single, name, grantee] = agents;
                const location = single === undefined ? unquote(name) : unquote(name).split(".").slice(0, 2).join(".");
                found.push({
                    privileges: list(privileges), grantee: unquote(grantee), where: statement.where, location,
                    on: single === undefined ? `${scope.toUpperCase()} AGENTS IN ${containerType.toUpperCase()} ${unquote(name)}` : `AGENT ${unquote(name)}`,
                });
            }
            const account = ACCOUNT_GRANT_SQL.exec(sql);
            if (account !== null) {
                found.push({ privileges: list(account[1]), grantee: unquote(account[2]), where: statement.where, on: "ACCOUNT" });
            }
        }
    }
    if (subject.type === "snowflake:index/grantPrivilegesToAccountRole:GrantPrivilegesToAccountRole") {
        const props = subject.props as Record<string, any>;
        const privileges: string[] = Array.isArray(props.privileges)
            ? props.privileges.filter((item: unknown): item is string => typeof item === "string").map((item: string) => item.toUpperCase()) : [];
        const grantee = typeof props.accountRoleName === "string" ? unquote(props.accountRoleName) : "";
        const bulk = props.onSchemaObject?.all ?? props.onSchemaObject?.future;
        if (props.onAccount === true) {
            found.push({ privileges, grantee, where: "onAccount", on: "ACCOUNT" });
        } else if (bulk !== undefined && /^AGENTS$/i.test(String(bulk.objectTypePlural))) {
            const container = unquote(String(bulk.inSchema ?? bulk.inDatabase ?? ""));
            found.push({ privileges, grantee, where: "onSchemaObject", location: container,
                on: `${props.onSchemaObject.all ? "ALL" : "FUTURE"} AGENTS IN ${bulk.inSchema ? "SCHEMA" : "DATABASE"} ${container}` });
        } else if (/^AGENT$/i.test(String(props.onSchemaObject?.objectType ?? ""))) {
            const name = unquote(String(props.onSchemaObject.objectName));
            found.push({ privileges, grantee, where: "onSchemaObject", location: name.split(".").slice(0, 2).join("."), on: `AGENT ${name}` });
        }
    }
    return found;
}

/** Whether `location` (DB or DB.S) lies in one of the configured locations. */
function inLocations(location: string, configured: readonly string[]): boolean {
    return configured.some((allowed) => location === allowed || location.startsWith(`${allowed}.`));
}

export const agentGrantsScoped: PolicyRule = {
    name: "agent-grants-scoped",
    description: "On Cortex Agents only MONITOR, only in the configured agent locations (databases or schemas), never to a " +
        "viewer role, and nothing account-wide (MONITOR or MANAGE GRANTS on the account).",
    check(subject, context) {
        const problems: string[] = [];
        for (const grant of agentGrantsOf(subject)) {
            if (grant.on === "ACCOUNT") {
                const wide = grant.privileges.filter((privilege) => ACCOUNT_WIDE.includes(privilege));
                if (wide.length > 0) {
                    problems.push(`${grant.where}: grants ${wide.join(", ")} on the account to ${grant.grantee}, which reaches every ` +
                        "agent; grant MONITOR on the agents in wallmonitor:agentLocations instead");
                }
                continue;
            }
            const other = grant.privileges.filter((privilege) => privilege !== "MONITOR");
            if (other.length > 0) {
                problems.push(`${grant.where}: grants ${other.join(", ")} on ${grant.on}; Wallmonitor needs only MONITOR on agents`);
            }
            if (context.viewerRoles.includes(grant.grantee)) {
                problems.push(`${grant.where}: grants ${grant.privileges.join(", ")} on ${grant.on} to the viewer role ${grant.grantee}`);
            }
            const configured = context.agentLocations;
            if (configured !== undefined && grant.location !== undefined && !inLocations(grant.location, configured)) {
                problems.push(`${grant.where}: grants on ${grant.on}, outside the configured agent locations ` +
                    `(${configured.length === 0 ? "none" : configured.join(", ")}); add ${grant.location} to wallmonitor:agentLocations or remove the grant`);
            }
        }
        return problems;
    },
};
