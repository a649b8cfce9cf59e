import { parseConfig } from "../lib/config/stack";
import type { OfflineBuild } from "../plan/offline";
import { ALL_RESOURCE_RULES, DEFAULT_VIEWER_ROLE, policyContext, PolicySettings } from "./pack";
import { keyOfUrn, runStackPolicies, StackSubject, subjectKey } from "./providerRules";
import { runPolicies, Violation } from "./rules";

/** The settings the rules read from the stack config the build ran with (the pack reads them from policy config). */
export function buildSettings(build: OfflineBuild): PolicySettings {
    const raw = build.config ?? {};
    const config = parseConfig({ get: (key) => raw[`wallmonitor:${key}`] });
    // The agent locations as the stack exports them (DATABASE or DATABASE.SCHEMA).
    const agentLocations = Array.isArray(build.outputs.agentLocations) ? build.outputs.agentLocations as string[] : [];
    return { allowColumnChanges: config.allowColumnChanges, orgUserIdentity: config.orgUserIdentity, agentLocations,
        ownerRole: config.ownerRole, ownerRoleToParentRole: config.ownerRoleToParentRole };
}

/**
 * The policy pack's rules over an offline build (the mock runtime's resources, with their
 * protect/retainOnDelete options and dependencies), so a plan without Snowflake credentials
 * enforces them. The viewer role and agent locations are the ones the stack exports; the other settings come from its config.
 */
export function checkBuild(build: OfflineBuild): Violation[] {
    const viewerRole = typeof build.outputs.viewerRole === "string" ? build.outputs.viewerRole : DEFAULT_VIEWER_ROLE;
    const context = policyContext([viewerRole], buildSettings(build));
    const subjects = stackSubjects(build);
    const sort = (a: Violation, b: Violation) =>
        a.policy.localeCompare(b.policy) || a.resource.localeCompare(b.resource) || a.message.localeCompare(b.message);
    return [...runPolicies(subjects, context, ALL_RESOURCE_RULES), ...runStackPolicies(subjects, context)].sort(sort);
}

/** The build's resources as the stack rules read them; a provider reference is `urn::id`. */
export function stackSubjects(build: OfflineBuild): StackSubject[] {
    const byKey = new Map(build.resources.map((resource) => [subjectKey(resource.type, resource.name), resource]));
    return build.resources.map((resource) => {
        const provider = resource.provider === undefined || resource.provider === ""
            ? undefined : byKey.get(keyOfUrn(resource.provider.split("::").slice(0, -1).join("::")));
        const role = provider?.inputs.role;
        return {
            type: resource.type,
            name: resource.name,
            props: resource.inputs,
            protect: resource.protect,
            retainOnDelete: resource.retainOnDelete,
            key: subjectKey(resource.type, resource.name),
            dependencies: (resource.dependencies ?? []).map(keyOfUrn),
            providerRole: typeof role === "string" ? role : undefined,
        };
    });
}
