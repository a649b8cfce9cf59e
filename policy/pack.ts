import type { PolicyPackArgs, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { Secret } from "@pulumi/policy";

import { RAW_EVENT_VIEWS } from "../lib/catalog";
import { TABLES } from "../lib/tables";
import { PolicyContext, PolicySubject, RULES, secret } from "./rules";

/**
 * The CrossGuard pack's arguments, built from the plain rules in rules.ts. Kept apart from
 * index.ts because constructing a PolicyPack starts its gRPC server: the tests use these
 * arguments and call the policies directly.
 */

/** Pulumi.yaml's default viewer role; a stack with another one passes it as policy config. */
export const DEFAULT_VIEWER_ROLE = "SFE_WALLMONITOR_VIEWER";

/** The context for a stack whose viewer role is `viewerRole` (and agent locations, when known). */
export function policyContext(viewerRoles: readonly string[], agentLocations?: readonly string[]): PolicyContext {
    return {
        viewerRoles,
        agentLocations,
        rawObjects: [...TABLES.map((table) => table.name), ...RAW_EVENT_VIEWS],
        conversationObjects: [...TABLES.filter((table) => table.holdsRawEvents).map((table) => table.name), ...RAW_EVENT_VIEWS],
    };
}

/** CrossGuard hands props through proxies that unwrap secrets; this reads the raw values and keeps secrets marked. */
export function plainProps(value: unknown): unknown {
    let raw = value as Record<string, unknown> | null;
    while (raw !== null && typeof raw === "object" && (raw as Record<string, unknown>).__isSpecialProxy === true) {
        raw = (raw as Record<string, unknown>).__getSpecialProxyTarget as Record<string, unknown>;
    }
    if (raw instanceof Secret) {
        return secret(plainProps(raw.value));
    }
    if (Array.isArray(raw)) {
        return raw.map(plainProps);
    }
    if (raw !== null && typeof raw === "object") {
        return Object.fromEntries(Object.keys(raw).map((key) => [key, plainProps(raw![key])]));
    }
    return raw;
}

export function subjectOf(args: ResourceValidationArgs): PolicySubject {
    return { type: args.type, name: args.name, props: plainProps(args.props) as Record<string, unknown>, protect: args.opts.protect };
}

const viewerRolesSchema = {
    properties: {
        viewerRoles: {
            type: "array" as const,
            items: { type: "string" as const },
            default: [DEFAULT_VIEWER_ROLE],
            description: "The stack's viewer role(s) (wallmonitor:viewerRole).",
        },
        agentLocations: {
            type: "array" as const,
            items: { type: "string" as const },
            description: "The stack's agent locations (wallmonitor:agentLocations, DATABASE or DATABASE.SCHEMA); " +
                "unset: grants on agents are checked for privilege and grantee only.",
        },
    },
};

export const RESOURCE_POLICIES: ResourceValidationPolicy[] = RULES.map((rule) => ({
    name: rule.name,
    description: rule.description,
    enforcementLevel: "mandatory",
    configSchema: viewerRolesSchema,
    validateResource: (args, reportViolation) => {
        const config = args.getConfig<{ viewerRoles?: string[]; agentLocations?: string[] }>();
        for (const message of rule.check(subjectOf(args), policyContext(config.viewerRoles ?? [DEFAULT_VIEWER_ROLE], config.agentLocations))) {
            reportViolation(message);
        }
    },
}));

export const PACK_NAME = "wallmonitor";

export const PACK_ARGS: PolicyPackArgs = { enforcementLevel: "mandatory", policies: RESOURCE_POLICIES };
