import { agentGrantsScoped } from "./agentGrants";
import { createdView, definedShareViewProblems, inShareSchema } from "./sharedViews";
import { stableProceduresAndSnowflakeRoles } from "./providerGrantsAndProcedures";
import {
    code, GrantFact, grantsOf, isDynamic, isSnowflake, isUnknown, kindOf, PolicyContext, PolicyRule, PolicySubject,
    statementsOf, unwrap, walk,
} from "./subject";

/**
 * Wallmonitor's policy rules as plain functions: each takes one resource as the engine would
 * send it (type, name, inputs, the protect/retainOnDelete options) and returns the violations.
 * `policy/index.ts` wraps them in a CrossGuard PolicyPack for `pulumi preview --policy-pack`;
 * the offline plan (lib/plan.ts) runs the same functions over the mock runtime's resources, so
 * CI without Snowflake credentials enforces them too, and the tests call them directly.
 *
 * Secret inputs are represented the way the Pulumi runtime serializes them (an object carrying
 * SECRET_SIGNATURE and `value`); `policy/index.ts` converts CrossGuard's Secret values to it.
 */

import { HISTORY_COLUMN_RULES } from "./historyColumns";
import { ORG_IDENTITY_RULES } from "./orgIdentity";
import { OWNER_ROLE_RULES } from "./ownerRole";

/** Privileges that only read or use; anything else written to a viewer is a write (or control) privilege. */
export const READ_PRIVILEGES: readonly string[] = ["USAGE", "SELECT", "REFERENCES", "READ"];
/** Plural object types that cover tables or views holding raw events when granted on ALL/FUTURE. */
const RAW_PLURALS = ["TABLES", "VIEWS", "EXTERNAL TABLES", "ICEBERG TABLES", "HYBRID TABLES", "EVENT TABLES"];

const viewerNoWrite: PolicyRule = {
    name: "viewer-no-write-privilege",
    description: "The viewer role receives only read privileges (USAGE, SELECT, REFERENCES, READ), no ownership and no other role.",
    check(subject, context) {
        return grantsOf(subject).filter((grant) => grant.granteeKind === "ROLE" && context.viewerRoles.includes(grant.grantee))
            .flatMap((grant) => {
                if (grant.objectType === "ROLE") {
                    return [`grants role ${grant.objectName} to the viewer role ${grant.grantee}: the viewer would inherit its privileges`];
                }
                const writes = grant.privileges.filter((privilege) => !READ_PRIVILEGES.includes(privilege));
                return writes.length === 0 ? [] : [`grants ${writes.join(", ")} on ${grant.objectType} ${grant.objectName} ` +
                    `to the viewer role ${grant.grantee}; it may only read (${READ_PRIVILEGES.join(", ")})`];
            }).map((message) => message.replace(/ {2,}/g, " "));
    },
};

/** What of `objects` a grant covers, as the message names it (`shown`: the object's name there); undefined for nothing. */
function coversObject(grant: GrantFact, objects: readonly string[], shown = grant.objectName): string | undefined {
    const plural = grant.objectType.replace(/^(ALL|FUTURE) /, "");
    if (/^(ALL|FUTURE) /.test(grant.objectType) && RAW_PLURALS.includes(plural)) {
        return `${grant.objectType} (which includes ${objects.join(", ")})`;
    }
    return objects.includes(grant.objectName) ? `${grant.objectType} ${shown}` : undefined;
}

const viewerNoRawEvents: PolicyRule = {
    name: "viewer-no-raw-events",
    description: "The viewer role receives nothing on the tables or per-event views that hold raw events.",
    check(subject, context) {
        return grantsOf(subject).filter((grant) => grant.granteeKind === "ROLE" && context.viewerRoles.includes(grant.grantee))
            .flatMap((grant) => {
                const covered = coversObject(grant, context.rawObjects);
                return covered === undefined ? [] : [`grants ${grant.privileges.join(", ")} on ${covered} to the viewer role ` +
                    `${grant.grantee}; viewers read only rollups and timelines`];
            });
    },
};

/** A grant's object as precisely as its name says: `DB.SCHEMA.NAME`, `SCHEMA.NAME` or `NAME`. */
const qualified = (grant: GrantFact) => [grant.objectDatabase, grant.objectSchema, grant.objectName].filter((part) => part !== undefined).join(".");

const conversationNotShared: PolicyRule = {
    name: "conversation-text-not-shared",
    description: "Objects that can hold conversation text are never added to a share or granted to the viewer role; " +
        "a share carries a view of the share schema only when its statement lists shareable columns.",
    check(subject, context) {
        const problems: string[] = [];
        const reported = new Set<string>();
        for (const grant of grantsOf(subject).filter((grant) => grant.granteeKind === "SHARE" || context.viewerRoles.includes(grant.grantee))) {
            // A share's view in the share schema is what leaves the account: its statement is judged
            // where it is defined (definedShareViewProblems), not by the name it shares with its source.
            if (grant.granteeKind === "SHARE" && grant.objectType === "VIEW" && grant.objectSchema === context.shareSchema) {
                continue;
            }
            const object = coversObject(grant, context.conversationObjects, qualified(grant));
            if (object === undefined) {
                continue;
            }
            reported.add(grant.objectName);
            problems.push(grant.granteeKind === "SHARE"
                ? `grants ${grant.privileges.join(", ")} on ${object} to share ${grant.grantee}, which may hold conversation text; ` +
                    `share a secure view in ${context.shareSchema} that lists only shareable columns instead`
                : `grants ${grant.privileges.join(", ")} on ${object} to the viewer role ${grant.grantee}, which may hold conversation text; ` +
                    "viewers read only rollups and timelines");
        }
        problems.push(...definedShareViewProblems(subject, context));
        // A share built by Wallmonitor's own provider: none of its inputs or statements may name a
        // conversation object (as a shared object, or as the source of a view it shares), beyond
        // the grants already reported. A view of the share schema is named like its source and may
        // read it: its statement is judged above, and other names of it are the view's.
        if (isDynamic(subject) && /share/i.test(kindOf(subject.type))) {
            const inShare = new RegExp(`"?${context.shareSchema}"?\\s*\\.\\s*"?[A-Z0-9_$]+"?`, "gi");
            const named = (text: string) => context.conversationObjects.filter((object) => !reported.has(object) &&
                new RegExp(`(^|[^A-Z0-9_$])"?${object}"?($|[^A-Z0-9_$])`, "i").test(text.replace(inShare, " ")));
            walk(subject.props, (path, key, value) => {
                if (typeof value === "string" && !/^(comment|description|text|file)$/i.test(key)) {
                    named(value).forEach((object) => problems.push(`${path} names ${object}, which may hold conversation text; it must not be shared`));
                }
            });
            for (const statement of statementsOf(subject)) {
                const view = createdView(statement.text);
                if (view !== undefined && inShareSchema(view.parts, context)) {
                    continue;
                }
                named(code(statement.text)).forEach((object) =>
                    problems.push(`${statement.where} names ${object}, which may hold conversation text; it must not be shared`));
            }
        }
        return [...new Set(problems)];
    },
};

// ---------------------------------------------------------------------------------------------

const serverlessSchedules: PolicyRule = {
    name: "serverless-self-suspending-schedules",
    description: "Tasks and alerts run serverless (no warehouse) and suspend themselves (a task graph: its root) after repeated failures.",
    check(subject) {
        const props = subject.props as Record<string, any>;
        const problems: string[] = [];
        if (isSnowflake(subject, "Task")) {
            if (typeof props.warehouse === "string" && props.warehouse !== "" && !isUnknown(props.warehouse)) {
                problems.push(`task ${props.name} runs on warehouse ${props.warehouse}; leave the warehouse out so it is serverless`);
            }
            const failures = props.suspendTaskAfterNumFailures;
            // A root-only setting: a child task's failures count against its root (policy/providerRules.ts).
            const root = props.afters === undefined || (Array.isArray(props.afters) && props.afters.length === 0);
            if (root && !isUnknown(failures) && !(typeof failures === "number" && failures >= 1)) {
                problems.push(`task ${props.name} never suspends itself; set suspendTaskAfterNumFailures to 1 or more`);
            }
        } else if (isSnowflake(subject, "Alert")) {
            problems.push(`alert ${props.name} uses warehouse ${props.warehouse} (the Snowflake provider's Alert always does) ` +
                "and cannot set SUSPEND_ALERT_AFTER_NUM_FAILURES; create a serverless alert with Wallmonitor's provider");
        } else if (isDynamic(subject) && /alert|task/i.test(kindOf(subject.type)) && typeof unwrap(props.warehouse) === "string") {
            problems.push(`${kindOf(subject.type)} ${subject.name} has a warehouse input; alerts and tasks run serverless`);
        }
        for (const statement of isDynamic(subject) ? statementsOf(subject) : []) {
            const sql = code(statement.text);
            const created = /\bCREATE\s+(?:OR\s+REPLACE\s+)?(ALERT|TASK)\b/i.exec(sql)?.[1]?.toUpperCase();
            if (created === undefined) {
                continue;
            }
            if (/\bWAREHOUSE\s*=/i.test(sql)) {
                problems.push(`${statement.where}: CREATE ${created} names a WAREHOUSE; leave it out so it runs serverless`);
            }
            if (!new RegExp(`\\bSUSPEND_${created}_AFTER_NUM_FAILURES\\s*=\\s*[1-9]`, "i").test(sql)) {
                problems.push(`${statement.where}: CREATE ${created} lacks SUSPEND_${created}_AFTER_NUM_FAILURES = <n ≥ 1>`);
            }
        }
        return problems;
    },
};

/** Hosts a webhook may post to: Slack, Microsoft Teams (connectors and Workflows), PagerDuty. */
export const WEBHOOK_HOSTS: readonly RegExp[] = [
    /^hooks\.slack\.com$/,
    /^[a-z0-9-]+\.webhook\.office\.com$/,
    /^outlook\.office(365)?\.com$/,
    /^[a-z0-9-]+\.[a-z0-9-]+\.logic\.azure\.com$/,
    /^[a-z0-9-]+\.environment\.api\.powerplatform\.com$/,
    /^events(\.eu)?\.pagerduty\.com$/,
];

export function webhookProblem(url: string): string | undefined {
    let parsed: URL;
    try {
        parsed = new URL(url);
    } catch {
        return "is not a URL";
    }
    if (parsed.protocol !== "https:") {
        return "is not https";
    }
    if (parsed.username !== "" || parsed.password !== "") {
        return "carries credentials in the URL";
    }
    return WEBHOOK_HOSTS.some((host) => host.test(parsed.hostname)) ? undefined
        : `posts to ${parsed.hostname}, which is not Slack, Microsoft Teams or PagerDuty`;
}

const webhookAllowlist: PolicyRule = {
    name: "webhook-url-allowlisted",
    description: "Webhook URLs are https URLs of Slack, Microsoft Teams or PagerDuty.",
    check(subject) {
        const problems: string[] = [];
        const checkUrl = (where: string, value: unknown) => {
            const url = unwrap(value);
            if (typeof url === "string" && !isUnknown(url) && url !== "") {
                const problem = webhookProblem(url);
                if (problem !== undefined) {
                    problems.push(`${where} ${problem}`);
                }
            }
        };
        const visit = (path: string, key: string, value: unknown) => {
            if (/webhook.?ur[li]|^ur[li]$/i.test(key) && (/webhook/i.test(path) || /webhook/i.test(subject.type))) {
                checkUrl(path, value);
            }
        };
        for (const key of Object.keys(subject.props).sort()) {
            visit(key, key, subject.props[key]);
        }
        walk(subject.props, visit);
        for (const statement of statementsOf(subject)) {
            const match = /\bWEBHOOK_URL\s*=\s*'([^']*)'/i.exec(statement.text);
            if (match !== null) {
                checkUrl(statement.where, match[1]);
            }
        }
        return [...new Set(problems)];
    },
};

/** Input names that hold a credential. */
const CREDENTIAL_KEY = /(password|passphrase|private_?key|token|api_?key|secret_?(string|value|key)|webhook_?secret|routing_?key|integration_?key|client_?secret)$/i;
/** Values that are credentials whatever their input is called. */
const CREDENTIAL_VALUE: readonly [RegExp, string][] = [
    [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a private key"],
    [/^https:\/\/[^/\s:@]+:[^/\s@]+@/, "a URL with a password"],
    [/hooks\.slack\.com\/(services|workflows|triggers)\/(?!.*SNOWFLAKE_WEBHOOK_SECRET)[^\s'"]+/, "a Slack webhook URL (its path is the credential)"],
    [/webhook\.office\.com\/webhookb2\/(?!.*SNOWFLAKE_WEBHOOK_SECRET)[^\s'"]+/, "a Teams webhook URL (its path is the credential)"],
];

const noPlainCredentials: PolicyRule = {
    name: "no-plain-credentials",
    description: "Passwords, keys, tokens and webhook credentials appear in resource inputs only as Pulumi secrets.",
    check(subject) {
        const problems: string[] = [];
        const visit = (path: string, key: string, value: unknown) => {
            if (typeof value !== "string" || value === "" || isUnknown(value)) {
                return;
            }
            if (CREDENTIAL_KEY.test(key) && !/fingerprint/i.test(key)) {
                problems.push(`${path} holds a credential in plain text; pass it as a Pulumi secret (config set --secret)`);
                return;
            }
            const found = CREDENTIAL_VALUE.find(([pattern]) => pattern.test(value));
            if (found !== undefined) {
                problems.push(`${path} contains ${found[1]} in plain text; pass it as a Pulumi secret or keep it in a Snowflake SECRET`);
            }
        };
        for (const key of Object.keys(subject.props).sort()) {
            visit(key, key, subject.props[key]);
        }
        walk(subject.props, (path, key, value) => (path.includes(".") || path.includes("[") ? visit(path, key, value) : undefined));
        return problems;
    },
};

/** An unquoted Snowflake identifier in UPPERCASE. */
export const UPPERCASE_IDENTIFIER = /^[A-Z_][A-Z0-9_$]*$/;

const explicitNames: PolicyRule = {
    name: "explicit-uppercase-names",
    description: "Every Snowflake object has an explicit, unquoted UPPERCASE name (no provider-generated suffix).",
    check(subject) {
        if (!isSnowflake(subject) || /^(Grant|Execute|Provider)/.test(kindOf(subject.type)) || subject.type.startsWith("pulumi:providers:")) {
            return [];
        }
        const name = subject.props.name;
        if (isUnknown(name)) {
            return [];
        }
        if (typeof name !== "string") {
            return [`${kindOf(subject.type)} ${subject.name} has no explicit name; the provider would generate one`];
        }
        return UPPERCASE_IDENTIFIER.test(name) ? [] : [`${kindOf(subject.type)} name ${JSON.stringify(name)} is not an unquoted UPPERCASE identifier`];
    },
};

const historyProtected: PolicyRule = {
    name: "history-protected",
    description: "Tables, and the databases holding them, are protected from deletion with `protect` or `retainOnDelete`.",
    check(subject) {
        if (!(isSnowflake(subject, "Table") || isSnowflake(subject, "Database"))) {
            return [];
        }
        return subject.protect === true || subject.retainOnDelete === true ? [] : [
            `${kindOf(subject.type)} ${String(subject.props.name)} holds history but is neither protected nor retainOnDelete; ` +
            "a mistaken delete would drop it",
        ];
    },
};

/** Every rule, all mandatory. */
export const RULES: readonly PolicyRule[] = [
    viewerNoWrite,
    viewerNoRawEvents,
    conversationNotShared,
    serverlessSchedules,
    webhookAllowlist,
    noPlainCredentials,
    explicitNames,
    historyProtected,
    ...HISTORY_COLUMN_RULES,
    ...ORG_IDENTITY_RULES,
    ...OWNER_ROLE_RULES,
    agentGrantsScoped,
    stableProceduresAndSnowflakeRoles,
];

export interface Violation {
    readonly policy: string;
    readonly type: string;
    readonly resource: string;
    readonly message: string;
}

/** Runs every rule over every resource; violations in a stable order (policy, resource, message). */
export function runPolicies(subjects: readonly PolicySubject[], context: PolicyContext,
                            rules: readonly PolicyRule[] = RULES): Violation[] {
    return subjects.flatMap((subject) => rules.flatMap((rule) => rule.check(subject, context)
        .map((message) => ({ policy: rule.name, type: subject.type, resource: subject.name, message }))))
        .sort((a, b) => a.policy.localeCompare(b.policy) || a.resource.localeCompare(b.resource) || a.message.localeCompare(b.message));
}
