import { DEFAULTS } from "../lib/config/stack";
import { grantsOf, isUnknown, PolicyRule } from "./subject";

/** Pulumi.yaml's default owner role; a stack with another one passes it as policy config. */
export const DEFAULT_OWNER_ROLE = DEFAULTS.ownerRole;

/**
 * SNOWFLAKE's application roles that read the AI-observability event table directly: every agent's raw
 * events, unredacted, with no per-agent check (https://docs.snowflake.com/en/sql-reference/local/ai_observability_events).
 * The older name of the reader is included.
 */
export const RAW_EVENT_READER_ROLES: readonly string[] = [
    "SNOWFLAKE.AI_OBSERVABILITY_READER", "SNOWFLAKE.AI_OBSERVABILITY_ADMIN", "SNOWFLAKE.AI_OBSERVABILITY_EVENTS_LOOKUP",
];

function plain(name: unknown): string {
    return typeof name === "string" ? name.replace(/"/g, "").toUpperCase() : "";
}

/**
 * Issue 15 item 6: the owner role holds the raw-event reader, so any role it is granted to reads every
 * agent's conversations. It goes to the deploy user only; a grant of it to a role is a violation unless the
 * stack opts in with wallmonitor:ownerRoleToParentRole (policy config ownerRoleToParentRole). The reader
 * itself goes to the owner role and no other.
 */
const ownerRoleNotInherited: PolicyRule = {
    name: "owner-role-not-inherited",
    description: "The owner role, which reads every agent's raw events, is granted to the deploy user only, not to a role " +
        "(unless wallmonitor:ownerRoleToParentRole opts in); SNOWFLAKE's event-table reader roles go to the owner role only.",
    check(subject, context) {
        const owner = context.ownerRole ?? DEFAULT_OWNER_ROLE;
        const props = subject.props as Record<string, unknown>;
        const problems: string[] = [];
        if (subject.type === "snowflake:index/grantAccountRole:GrantAccountRole" && plain(props.roleName) === owner &&
            typeof props.parentRoleName === "string" && !isUnknown(props.parentRoleName) && context.ownerRoleToParentRole !== true) {
            problems.push(`grants the owner role ${owner} to role ${plain(props.parentRoleName)}: every member of it would read ` +
                "every agent's raw events and conversations (SNOWFLAKE.AI_OBSERVABILITY_READER). Grant people the viewer role; " +
                "set wallmonitor:ownerRoleToParentRole (and ownerRoleToParentRole in policy/config.<stack>.json) only to accept this");
        }
        for (const grant of grantsOf(subject)) {
            const granted = grant.objectName.replace(/^APPLICATION ROLE /, "");
            if (grant.objectType === "ROLE" && RAW_EVENT_READER_ROLES.includes(granted) && grant.grantee !== owner) {
                problems.push(`grants ${granted} to role ${grant.grantee}: it reads every agent's raw events; only the owner role ${owner} may hold it`);
            }
        }
        return problems;
    },
};

export const OWNER_ROLE_RULES: readonly PolicyRule[] = [ownerRoleNotInherited];
