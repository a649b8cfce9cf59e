import type { PolicyPackArgs, PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { Secret } from "@pulumi/policy";

import { ORG_SHARE_SCHEMA, ORG_USER_IDENTITIES } from "../lib/config/org";
import { DEFAULTS } from "../lib/config/stack";
import { defaultRegistry, holdsConversationText, sharedColumns, sharedModels } from "../lib/sql/registry";
import { keyOfUrn, PROVIDER_RULES, PROVIDER_STACK_RULES, StackSubject } from "./providerRules";
import { RULES } from "./rules";
import { PolicyContext, PolicyRule, PolicySubject, secret } from "./subject";

/** Every per-resource rule: rules.ts's, then the Snowflake provider's behaviours (providerRules.ts). */
export const ALL_RESOURCE_RULES: readonly PolicyRule[] = [...RULES, ...PROVIDER_RULES];
/** The name of every policy of the pack, per-resource and stack rules. */
export const POLICY_NAMES: readonly string[] = [...ALL_RESOURCE_RULES, ...PROVIDER_STACK_RULES].map((rule) => rule.name);

/**
 * The CrossGuard pack's arguments, built from the plain rules in rules.ts. Kept apart from
 * index.ts because constructing a PolicyPack starts its gRPC server: the tests use these
 * arguments and call the policies directly.
 */

/** Pulumi.yaml's default viewer role (parsed from its schema); a stack with another one passes it as policy config. */
export const DEFAULT_VIEWER_ROLE = DEFAULTS.viewerRole;

/** Settings of the stack the rules read besides its viewer roles; policy config in the pack, stack config offline. */
export type PolicySettings = Pick<PolicyContext, "allowColumnChanges" | "orgUserIdentity" | "agentLocations" | "ownerRole" |
    "ownerRoleToParentRole">;

/**
 * From the model registry (sql/<area>/models.yml): the objects the viewer must get nothing on
 * (every table, which the viewer reads only through views, and every view with conversation
 * text), and those that hold conversation text.
 */
const MODELS = defaultRegistry().models;
const CONVERSATION_OBJECTS = MODELS.filter((model) => (model.kind === "table" || model.kind === "view") && holdsConversationText(model))
    .map((model) => model.name);
const RAW_OBJECTS = [...new Set([...MODELS.filter((model) => model.kind === "table").map((model) => model.name), ...CONVERSATION_OBJECTS])];
/** Per shared model (readers: share, conditional ones included), the columns a share view may list. */
const SHAREABLE_COLUMNS: Readonly<Record<string, readonly string[]>> = (() => {
    const { always, when } = sharedModels(defaultRegistry());
    return Object.fromEntries([...always, ...when].map((model) => [model.name, sharedColumns(model).map((column) => column.name)]));
})();
/** Every column the registry keeps in the account (not in sharedColumns), with its classes and models, for the message. */
const PRIVATE_COLUMNS: Readonly<Record<string, string>> = (() => {
    const found = new Map<string, { classes: Set<string>; models: string[] }>();
    for (const model of MODELS) {
        const shared = new Set(sharedColumns(model).map((column) => column.name));
        for (const column of model.columns.filter((candidate) => !shared.has(candidate.name))) {
            const entry = found.get(column.name) ?? { classes: new Set<string>(), models: [] };
            entry.classes.add(column.classification);
            entry.models.push(model.name);
            found.set(column.name, entry);
        }
    }
    return Object.fromEntries([...found].map(([column, { classes, models }]) => [column, `${[...classes].join("/")} in ${models.join(", ")}`]));
})();

/** The context for a stack whose viewer role is `viewerRole`. */
export function policyContext(viewerRoles: readonly string[], settings: PolicySettings = {}): PolicyContext {
    return { viewerRoles, ...settings, rawObjects: RAW_OBJECTS, conversationObjects: CONVERSATION_OBJECTS, shareSchema: ORG_SHARE_SCHEMA,
        shareableColumns: SHAREABLE_COLUMNS, privateColumns: PRIVATE_COLUMNS };
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
        allowColumnChanges: {
            type: "object" as const,
            additionalProperties: { type: "array" as const, items: { type: "string" as const } },
            default: {},
            description: "The stack's wallmonitor:allowColumnChanges, as an object (policy/config.<stack>.json; a test keeps them equal).",
        },
        agentLocations: {
            type: "array" as const,
            items: { type: "string" as const },
            description: "The stack's agent locations (wallmonitor:agentLocations, DATABASE or DATABASE.SCHEMA); " +
                "unset: grants on agents are checked for privilege and grantee only.",
        },
        ownerRole: {
            type: "string" as const,
            description: "The stack's owner role (wallmonitor:ownerRole; policy/config.<stack>.json, a test keeps them equal).",
        },
        ownerRoleToParentRole: {
            type: "boolean" as const,
            default: false,
            description: "The stack's wallmonitor:ownerRoleToParentRole (policy/config.<stack>.json; a test keeps them equal).",
        },
        orgUserIdentity: {
            type: "string" as const,
            enum: [...ORG_USER_IDENTITIES],
            default: DEFAULTS.orgUserIdentity,
            description: "The stack's wallmonitor:orgUserIdentity (policy/config.<stack>.json; a test keeps them equal).",
        },
    },
};

export const RESOURCE_POLICIES: ResourceValidationPolicy[] = [
    ...RULES.map((rule): ResourceValidationPolicy => ({
        name: rule.name,
        description: rule.description,
        enforcementLevel: "mandatory",
        configSchema: viewerRolesSchema,
        validateResource: (args, reportViolation) => {
            const config = args.getConfig<{ viewerRoles?: string[] } & PolicySettings>();
            const settings: PolicySettings = {
                allowColumnChanges: config.allowColumnChanges, orgUserIdentity: config.orgUserIdentity, agentLocations: config.agentLocations,
                ownerRole: config.ownerRole, ownerRoleToParentRole: config.ownerRoleToParentRole,
            };
            for (const message of rule.check(subjectOf(args), policyContext(config.viewerRoles ?? [DEFAULT_VIEWER_ROLE], settings))) {
                reportViolation(message);
            }
        },
    })),
    // The provider's behaviours do not depend on the viewer role: no policy config.
    ...PROVIDER_RULES.map((rule): ResourceValidationPolicy => ({
        name: rule.name,
        description: rule.description,
        enforcementLevel: "mandatory",
        validateResource: (args, reportViolation) => {
            for (const message of rule.check(subjectOf(args), policyContext([DEFAULT_VIEWER_ROLE]))) {
                reportViolation(message);
            }
        },
    })),
];

/** A stack resource as the stack rules read it; keys from URNs, as the offline plan builds them. */
export function stackSubjectOf(resource: PolicyResource): StackSubject {
    const keys = (resources: readonly PolicyResource[]) => resources.map((dependency) => keyOfUrn(dependency.urn));
    const role = resource.provider?.props?.role;
    return {
        type: resource.type,
        name: resource.name,
        props: plainProps(resource.props) as Record<string, unknown>,
        protect: resource.opts.protect,
        key: keyOfUrn(resource.urn),
        dependencies: keys(resource.dependencies),
        propertyDependencies: Object.fromEntries(Object.entries(resource.propertyDependencies ?? {}).map(([key, value]) => [key, keys(value)])),
        providerRole: typeof role === "string" ? role : undefined,
        urn: resource.urn,
    };
}

export const STACK_POLICIES: StackValidationPolicy[] = PROVIDER_STACK_RULES.map((rule) => ({
    name: rule.name,
    description: rule.description,
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        for (const { subject, message } of rule.check(args.resources.map(stackSubjectOf), policyContext([DEFAULT_VIEWER_ROLE]))) {
            reportViolation(message, subject.urn);
        }
    },
}));

export const PACK_NAME = "wallmonitor";

export const PACK_ARGS: PolicyPackArgs = { enforcementLevel: "mandatory", policies: [...RESOURCE_POLICIES, ...STACK_POLICIES] };
