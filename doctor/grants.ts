import { RAW_EVENT_VIEWS } from "../lib/sql/catalog";
import { ident } from "../lib/sql/render";
import { describeRequirement, loadModel } from "../privileges/classify";
import type { DeclaredGrant } from "../privileges/grants";
import { plainName, singular } from "../privileges/grants";
import { cell, Check, DoctorContext } from "./context";
import type { ReadOnlySession } from "./readOnly";
import type { Finding } from "./report";
import { doctorStatement } from "./sql";

/**
 * For each role, the grants it actually holds (SHOW GRANTS TO ROLE, whose documented columns are
 * created_on, privilege, granted_on, name, granted_to, grantee_name, grant_option, granted_by:
 * https://docs.snowflake.com/en/sql-reference/sql/show-grants) against what the privilege model
 * says it needs: the grants the build declares (privileges/collect.ts). Missing grants fail;
 * grants beyond them on the roles Wallmonitor creates widen access and are listed.
 */

export interface HeldGrant {
    readonly privilege: string;
    /** `granted_on` with spaces (SHOW prints DYNAMIC_TABLE where GRANT says DYNAMIC TABLE). */
    readonly on: string;
    readonly name: string;
    /** The role it is held through: the role itself, or one it inherits. */
    readonly via: string;
}

const ROLE_KINDS = new Set(["ROLE", "DATABASE ROLE", "APPLICATION ROLE"]);
const TABLE_LIKE = new Set(["TABLE", "VIEW", "DYNAMIC TABLE", "MATERIALIZED VIEW"]);

function held(rows: readonly Readonly<Record<string, unknown>>[], via: string): HeldGrant[] {
    return rows.map((row) => ({
        privilege: cell(row, "privilege").toUpperCase(),
        on: cell(row, "granted_on").toUpperCase().replace(/_/g, " "),
        name: plainName(cell(row, "name")),
        via,
    }));
}

/** What `role` holds, directly and through the account roles granted to it (at most `limit` roles read). */
export async function effectiveGrants(session: ReadOnlySession, role: string, limit = 12): Promise<HeldGrant[]> {
    const seen = new Set<string>();
    const pending = [role];
    const out: HeldGrant[] = [];
    while (pending.length > 0 && seen.size < limit) {
        const next = pending.shift()!;
        if (seen.has(next)) {
            continue;
        }
        seen.add(next);
        const grants = held(await session.query(doctorStatement("grants_to_role", { ROLE: ident(next) })), next);
        out.push(...grants);
        pending.push(...grants.filter((grant) => grant.on === "ROLE" && grant.privilege === "USAGE").map((grant) => grant.name));
    }
    return out;
}

function sameType(declared: string, shown: string): boolean {
    return declared === shown || (TABLE_LIKE.has(declared) && TABLE_LIKE.has(shown) && declared !== "DYNAMIC TABLE" && shown !== "DYNAMIC TABLE");
}

/** Whether `grants` hold the declared grant; `future` is what SHOW FUTURE GRANTS listed for its grantee. */
function holds(grant: DeclaredGrant, grants: readonly HeldGrant[], future: readonly HeldGrant[]): boolean {
    if (grant.role !== undefined) {
        return grants.some((candidate) => ROLE_KINDS.has(candidate.on) && candidate.name === grant.role);
    }
    const target = grant.on!;
    return grant.privileges.every((privilege) => {
        const wanted = (candidate: HeldGrant) => candidate.privilege === privilege || candidate.privilege === "OWNERSHIP";
        if (target.kind === "object") {
            return grants.some((candidate) => wanted(candidate) && sameType(target.object.type, candidate.on) &&
                (target.object.type === "ACCOUNT" || candidate.name === target.object.name));
        }
        const inside = (candidate: HeldGrant) => candidate.name.startsWith(`${target.in.name}.`) && candidate.on === target.objectType;
        return target.kind === "future" ? future.some((candidate) => candidate.privilege === privilege && inside(candidate))
            : grants.some((candidate) => wanted(candidate) && inside(candidate));
    });
}

/** Whether a held grant is one the build declares (or ownership of what the role creates). */
function declared(grant: HeldGrant, declaredGrants: readonly DeclaredGrant[], owned: ReadonlySet<string>, ownedPrefixes: readonly string[]): boolean {
    if (grant.privilege === "OWNERSHIP") {
        return owned.has(grant.name) || ownedPrefixes.some((prefix) => grant.name.startsWith(prefix));
    }
    return declaredGrants.some((candidate) => {
        if (candidate.role !== undefined) {
            return ROLE_KINDS.has(grant.on) && candidate.role === grant.name;
        }
        const target = candidate.on!;
        if (!candidate.privileges.includes(grant.privilege)) {
            return false;
        }
        if (target.kind === "object") {
            return sameType(target.object.type, grant.on) && (target.object.type === "ACCOUNT" || target.object.name === grant.name);
        }
        return grant.on === singular(target.objectType) && grant.name.startsWith(`${target.in.name}.`);
    });
}

/** Declared grants by resource: alternatives (the reader role or its older name) share one id. */
function byResource(grants: readonly DeclaredGrant[]): DeclaredGrant[][] {
    const groups = new Map<string, DeclaredGrant[]>();
    for (const grant of grants) {
        groups.set(grant.id, [...(groups.get(grant.id) ?? []), grant]);
    }
    return [...groups.values()];
}

async function afterDeploy(context: DoctorContext, session: ReadOnlySession): Promise<Finding[]> {
    const { config, analysis } = context;
    const findings: Finding[] = [];
    const grantees = [...new Set(analysis.grants.map((grant) => grant.grantee))].filter((grantee) => !grantee.startsWith("SHARE "));
    for (const grantee of grantees) {
        // A missing role is the account check's failure; its grants cannot be read.
        if (!context.existingRoles.has(grantee)) {
            continue;
        }
        const mine = analysis.grants.filter((grant) => grant.grantee === grantee);
        const direct = held(await session.query(doctorStatement("grants_to_role", { ROLE: ident(grantee) })), grantee);
        const containers = [...new Map(mine.flatMap((grant) => grant.on?.kind === "future" ? [[`${grant.on.in.type} ${grant.on.in.name}`, grant.on.in]] as const : []))
            .values()];
        const future: HeldGrant[] = [];
        for (const container of containers) {
            const rows = await session.query(container.type === "SCHEMA"
                ? doctorStatement("future_grants_in_schema", { SCHEMA: ident(...container.name.split(".")) })
                : doctorStatement("future_grants_in_database", { DATABASE: ident(container.name) }));
            future.push(...rows.filter((row) => cell(row, "grantee_name").toUpperCase() === grantee)
                .map((row) => ({ privilege: cell(row, "privilege").toUpperCase(), on: cell(row, "grant_on").toUpperCase().replace(/_/g, " "),
                    name: plainName(cell(row, "name")), via: grantee })));
        }
        const missing = byResource(mine).filter((group) => {
            const roleGrants = group.filter((grant) => grant.role !== undefined);
            const others = group.filter((grant) => grant.role === undefined);
            return (roleGrants.length > 0 && !roleGrants.some((grant) => holds(grant, direct, future))) ||
                others.some((grant) => !holds(grant, direct, future));
        });
        for (const group of missing) {
            const all = group.filter((grant) => grant.on?.kind === "all");
            findings.push({
                area: "grants", status: all.length === group.length ? "warn" : "fail",
                title: `role ${grantee} lacks ${group.length > 1 && group.every((grant) => grant.role !== undefined) ? "one of: " : ""}` +
                    group.map((grant) => grant.statement.replace(/^GRANT /, "").replace(/ TO ROLE \S+$/, "")).join("; "),
                evidence: all.length === group.length ? "no object of that kind holds it: none may exist yet, or the grant is missing"
                    : `SHOW GRANTS TO ROLE ${grantee} lists ${direct.length} grants, none of them this one`,
                fix: `pulumi up (it declares ${group[0].id}), or: ${group[0].statement}`,
            });
        }
        if (missing.length === 0) {
            findings.push({ area: "grants", status: "pass", title: `role ${grantee} holds all ${mine.length} grants the privilege model declares for it` });
        }
        if (grantee === config.ownerRole || grantee === config.viewerRole) {
            const owned = new Set(analysis.owned.filter((ownership) => ownership.role === grantee).map((ownership) => ownership.object.name));
            const prefixes = grantee === config.ownerRole ? [`${config.database}.${config.schema}.`] : [];
            const extra = direct.filter((grant) => !declared(grant, mine, owned, prefixes));
            for (const grant of extra) {
                findings.push({
                    area: "grants", status: "warn",
                    title: `role ${grantee} holds ${grant.privilege} on ${grant.on} ${grant.name}, which Wallmonitor does not need: it widens access`,
                    fix: ROLE_KINDS.has(grant.on) ? `REVOKE ${grant.on} ${grant.name} FROM ROLE ${grantee}`
                        : `REVOKE ${grant.privilege} ON ${grant.on} ${grant.name} FROM ROLE ${grantee}`,
                });
            }
        }
    }
    findings.push(...await viewerReads(context, session));
    return findings;
}

/** The viewer's effective reads (inherited roles included) against the classification: nothing raw or textual. */
async function viewerReads(context: DoctorContext, session: ReadOnlySession): Promise<Finding[]> {
    const { config } = context;
    if (!context.existingRoles.has(config.viewerRole)) {
        return [];
    }
    const schema = `${config.database}.${config.schema}.`;
    const raw = new Set(RAW_EVENT_VIEWS.map((view) => `${schema}${view}`));
    const reads = (await effectiveGrants(session, config.viewerRole)).filter((grant) =>
        ["SELECT", "OWNERSHIP"].includes(grant.privilege) && (grant.on === "TABLE" || raw.has(grant.name)) && grant.name.startsWith(schema));
    if (reads.length === 0) {
        return [{ area: "grants", status: "pass", title: `role ${config.viewerRole} reads no raw events table or raw event view` }];
    }
    return reads.map((grant) => ({
        area: "grants" as const, status: "fail" as const,
        title: `role ${config.viewerRole} can read raw or textual data: ${grant.privilege} on ${grant.on} ${grant.name}` +
            (grant.via === config.viewerRole ? "" : ` (through role ${grant.via})`),
        fix: `REVOKE ${grant.privilege} ON ${grant.on} ${grant.name} FROM ROLE ${grant.via}`,
    }));
}

/**
 * Before the first deploy: the account privileges the admin role (and the parent role) need for
 * what the plan creates, against what they hold. Objects the plan creates are owned by their
 * creator, so only account-level requirements and role grants are checked here.
 */
async function beforeDeploy(context: DoctorContext, session: ReadOnlySession): Promise<Finding[]> {
    const { config, analysis } = context;
    const model = loadModel();
    const findings: Finding[] = [];
    for (const role of [config.adminRole]) {
        if (!context.existingRoles.has(role)) {
            continue;
        }
        const grants = await effectiveGrants(session, role);
        const system = new Set<string>();
        const pending = [role, ...grants.filter((grant) => grant.on === "ROLE").map((grant) => grant.name)];
        while (pending.length > 0) {
            const next = pending.pop()!;
            if (!system.has(next) && model.systemRoles.roles[next] !== undefined) {
                system.add(next);
                pending.push(...model.systemRoles.roles[next].inherits);
            }
        }
        const defaults = new Set([...system].flatMap((name) => model.systemRoles.roles[name].account));
        const needs = new Map<string, { why: string; privilege: string }>();
        for (const { statement, classified } of analysis.checked.filter(({ statement }) => statement.role === role)) {
            for (const requirement of classified.requirements) {
                const accountLevel = requirement.anyOf.every((alternative) => alternative.on?.type === "ACCOUNT");
                if (!accountLevel) {
                    continue;
                }
                const satisfied = requirement.anyOf.some((alternative) => defaults.has(alternative.privilege!) ||
                    grants.some((grant) => grant.on === "ACCOUNT" && grant.privilege === alternative.privilege));
                if (!satisfied) {
                    needs.set(describeRequirement(requirement), { why: `${statement.source} (${requirement.url})`, privilege: requirement.anyOf[0].privilege! });
                }
            }
        }
        if (needs.size === 0) {
            findings.push({ area: "grants", status: "pass", title: `admin role ${role} holds every account privilege the plan's statements need` +
                (system.size > 0 ? ` (system role defaults: ${[...system].sort().join(", ")})` : "") });
        }
        for (const [need, { why, privilege }] of needs) {
            findings.push({ area: "grants", status: "fail", title: `admin role ${role} lacks ${need}`, evidence: `needed by ${why}`,
                fix: `GRANT ${privilege} ON ACCOUNT TO ROLE ${role} (as a role that may grant it), or set wallmonitor:adminRole to a role that holds it` });
        }
    }
    return findings;
}

export const grantsCheck: Check = async (context) =>
    context.as(undefined, (session) => (context.beforeDeploy ? beforeDeploy(context, session) : afterDeploy(context, session)));
