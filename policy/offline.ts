import { parseConfig } from "../lib/config";
import type { OfflineBuild } from "../lib/offline";
import { DEFAULT_VIEWER_ROLE, policyContext, PolicySettings } from "./pack";
import { runPolicies, Violation } from "./rules";

/** The settings the rules read from the stack config the build ran with (the pack reads them from policy config). */
export function buildSettings(build: OfflineBuild): PolicySettings {
    const raw = build.config ?? {};
    const config = parseConfig({ get: (key) => raw[`wallmonitor:${key}`] });
    return { allowColumnChanges: config.allowColumnChanges, orgUserIdentity: config.orgUserIdentity };
}

/**
 * The policy pack's rules over an offline build (the mock runtime's resources, with their
 * protect/retainOnDelete options), so a plan without Snowflake credentials enforces them.
 * The viewer role is the one the stack exports; the other settings come from its config.
 */
export function checkBuild(build: OfflineBuild): Violation[] {
    const viewerRole = typeof build.outputs.viewerRole === "string" ? build.outputs.viewerRole : DEFAULT_VIEWER_ROLE;
    return runPolicies(build.resources.map((resource) => ({
        type: resource.type,
        name: resource.name,
        props: resource.inputs,
        protect: resource.protect,
        retainOnDelete: resource.retainOnDelete,
    })), policyContext([viewerRole], buildSettings(build)));
}
