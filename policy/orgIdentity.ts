import { ORG_IDENTITY_KEY_VIEW, USER_IDENTITY_COLUMNS } from "../lib/sql/orgCatalog";
import { ORG_SHARE_SCHEMA, ORG_USER_IDENTITIES } from "../lib/config/org";
import { DEFAULTS } from "../lib/config/stack";
import { grantsOf, isSecret, isUnknown, PolicyRule, PolicySubject } from "./subject";

/**
 * What a member's share says about its users (issue 15 item 5). The shared secure views carry
 * USER_NAME, USER_ID, the daily USERS sets and the history's ERROR_MESSAGE only through the
 * identity CASE of sql/org/source_rows_*.sql, whose subject is the stack's
 * wallmonitor:orgUserIdentity; names leave the account only when that is `named`, and the key
 * view is neither shared nor in plain text.
 */

/** Pulumi.yaml's default, for a stack whose policy config does not say. */
const DEFAULT_IDENTITY = DEFAULTS.orgUserIdentity;
const IDENTITY_CASE = new RegExp(`\\bCASE\\s+'(${ORG_USER_IDENTITIES.join("|")})'[\\s\\S]*?\\bEND\\b`, "gi");

function baseName(name: unknown): string {
    return typeof name === "string" ? (name.split(".").pop() ?? "").replace(/"/g, "").toUpperCase() : "";
}

/** SQL without `--` comment lines. */
function code(text: string): string {
    return text.split("\n").map((line) => line.replace(/--.*$/, "")).join("\n");
}

function sharedViewProblems(subject: PolicySubject, expected: string): string[] {
    const statement = subject.props.statement;
    const name = `${String(subject.props.schema)}.${String(subject.props.name)}`;
    if (typeof statement !== "string" || isUnknown(statement)) {
        return isSecret(statement) ? [`shared view ${name} has a secret statement, which reviewers cannot check`] : [];
    }
    const sql = code(statement);
    const problems: string[] = [];
    const modes = [...sql.matchAll(IDENTITY_CASE)].map((match) => match[1].toLowerCase());
    for (const mode of new Set(modes)) {
        if (mode !== expected) {
            problems.push(`shared view ${name} shares users as ${mode}, but the stack's orgUserIdentity is ${expected}` +
                (mode === "named" ? "; names leave the account only with wallmonitor:orgUserIdentity named" : ""));
        }
    }
    // What is left once the identity CASEs, the output names and the USERS set fed to FLATTEN are taken out.
    const rest = sql.replace(IDENTITY_CASE, " ").replace(/\bAS\s+[A-Z_][A-Z0-9_$]*/gi, " ")
        .replace(/\bFLATTEN\s*\(\s*INPUT\s*=>\s*[A-Z_][A-Z0-9_]*\.USERS\s*\)/gi, " ").replace(/\bIDENTIFIED\.USERS\b/g, " ");
    for (const column of USER_IDENTITY_COLUMNS) {
        if (new RegExp(`(^|[^A-Z0-9_$."])${column}($|[^A-Z0-9_$"])`, "i").test(rest)) {
            problems.push(`shared view ${name} selects ${column} outside the identity CASE of sql/org/source_rows_*.sql, ` +
                "so it would leave the account whatever wallmonitor:orgUserIdentity says");
        }
    }
    return problems;
}

const orgShareUserIdentity: PolicyRule = {
    name: "org-share-user-identity",
    description: "A member's share carries users only as wallmonitor:orgUserIdentity says (pseudonymous by default); " +
        "names and error text only when it is named; the identity key is never shared and never in plain text.",
    check(subject, context) {
        const expected = context.orgUserIdentity ?? DEFAULT_IDENTITY;
        const problems: string[] = [];
        if (subject.type === "snowflake:index/view:View") {
            if (baseName(subject.props.schema) === ORG_SHARE_SCHEMA) {
                problems.push(...sharedViewProblems(subject, expected));
            }
            const statement = subject.props.statement;
            if (baseName(subject.props.name) === ORG_IDENTITY_KEY_VIEW && typeof statement === "string" && !isUnknown(statement) &&
                !/CAST\s*\(\s*NULL\s+AS/i.test(code(statement))) {
                problems.push(`${ORG_IDENTITY_KEY_VIEW} holds the identity key in plain text; pass its statement as a Pulumi secret`);
            }
        }
        for (const grant of grantsOf(subject)) {
            if (grant.objectName === ORG_IDENTITY_KEY_VIEW) {
                problems.push(`grants ${grant.privileges.join(", ")} on ${ORG_IDENTITY_KEY_VIEW} to ${grant.granteeKind === "SHARE"
                    ? "share" : "role"} ${grant.grantee}; the identity key is read only by the shared views, as their owner`);
            }
        }
        return problems;
    },
};

export const ORG_IDENTITY_RULES: readonly PolicyRule[] = [orgShareUserIdentity];
