import type { OfflineBuild } from "../lib/offline";
import { DEFAULT_VIEWER_ROLE, policyContext } from "./pack";
import { runPolicies, Violation } from "./rules";

/**
 * The policy pack's rules over an offline build (the mock runtime's resources, with their
 * protect/retainOnDelete options), so a plan without Snowflake credentials enforces them.
 * The viewer role and the agent locations are the ones the stack exports.
 */
export function checkBuild(build: OfflineBuild): Violation[] {
    const viewerRole = typeof build.outputs.viewerRole === "string" ? build.outputs.viewerRole : DEFAULT_VIEWER_ROLE;
    const agentLocations = Array.isArray(build.outputs.agentLocations) ? build.outputs.agentLocations as string[] : [];
    return runPolicies(build.resources.map((resource) => ({
        type: resource.type,
        name: resource.name,
        props: resource.inputs,
        protect: resource.protect,
        retainOnDelete: resource.retainOnDelete,
    })), policyContext([viewerRole], agentLocations));
}
