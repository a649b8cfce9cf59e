import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { getMonitor } from "@pulumi/pulumi/runtime/settings";

import { offlineSecrets } from "../lib/config/org";

/**
 * Builds a stack on Pulumi's mock runtime: no Snowflake account, no Pulumi CLI. The offline
 * plan and the tests both use it, so what the plan prints is what the tests assert on.
 */

export const PROJECT_ROOT = path.resolve(__dirname, "..");
export const PROJECT_NAME = "wallmonitor";

/** The part of the engine's RegisterResourceRequest read here. */
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getProtect(): boolean | undefined;
    getRetainondelete(): boolean | undefined;
    getDependenciesList(): string[];
}

/** One resource the program registered, as the engine would receive it. */
export interface RecordedResource {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, unknown>;
    /** Provider reference `urn::id` for custom resources. */
    readonly provider?: string;
    readonly custom: boolean;
    /** The `protect` and `retainOnDelete` resource options, as the engine would receive them. */
    readonly protect?: boolean;
    readonly retainOnDelete?: boolean;
    /** URNs of the resources it waits for (dependsOn and the resources its inputs come from), as the engine receives them. */
    readonly dependencies?: readonly string[];
}

export interface OfflineBuild {
    readonly stack: string;
    readonly resources: readonly RecordedResource[];
    readonly outputs: Record<string, unknown>;
    /** The config the program ran with (`namespace:key` -> string): the stack file and the overrides. */
    readonly config?: Readonly<Record<string, string>>;
}

/** The stack's config from Pulumi.<stack>.yaml (in `root`, a checkout), as `namespace:key` -> string. */
export function readStackConfig(stack: string, root: string = PROJECT_ROOT): Record<string, string> {
    const file = path.join(root, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        const stacks = fs.readdirSync(root)
            .map((entry) => /^Pulumi\.(.+)\.yaml$/.exec(entry)?.[1])
            .filter((name): name is string => name !== undefined);
        throw new Error(`No stack file Pulumi.${stack}.yaml; stacks here: ${stacks.join(", ")}`);
    }
    const document = (yaml.load(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
    return Object.fromEntries(Object.entries(document.config ?? {}).map(([key, value]) => [
        key,
        typeof value === "string" ? value : JSON.stringify(value),
    ]));
}

/** The value the mocks give a resource's `fullyQualifiedName`, as the Snowflake provider would. */
function fullyQualifiedName(inputs: Record<string, unknown>): string | undefined {
    const parts = [inputs.database, inputs.schema, inputs.name].filter((part): part is string => typeof part === "string");
    return parts.length === 0 ? undefined : parts.map((part) => `"${part}"`).join(".");
}

async function settle(resources: RecordedResource[], errors: unknown[]): Promise<void> {
    let stableRounds = 0;
    let lastCount = -1;
    while (stableRounds < 5) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        stableRounds = resources.length === lastCount ? stableRounds + 1 : 0;
        lastCount = resources.length;
        if (errors.length > 0) {
            break;
        }
    }
}

/**
 * An offline build shows the whole account: a stack that deploys only the monitoring objects
 * (wallmonitor:deployment monitoring) is built together with what its bootstrap stack declares,
 * so the plan, the policy pack and the privilege check see both identities' work. An override
 * builds one part alone.
 */
export const ACCOUNT_VIEW: Readonly<Record<string, string>> = { "wallmonitor:deployment": "all" };

/**
 * Runs the program for `stack` with config from its stack file (plus `overrides`, where an
 * empty string unsets a key; `secretKeys` marks keys as secrets, as `pulumi config set
 * --secret` does) and records every resource it registers. Rejects with the
 * program's own error (for example a ConfigError) or any unhandled rejection on the way.
 * `root` is the checkout whose program and stack file are built (another revision's, for
 * `plan --against`); its modules resolve to this checkout's node_modules.
 */
export async function buildOffline(stack: string, overrides: Record<string, string> = {},
                                   secretKeys: string[] = [], root: string = PROJECT_ROOT,
                                   stackOutputs: Record<string, Record<string, unknown>> = {}): Promise<OfflineBuild> {
    const program = path.join(root, "index.ts");
    const resources: RecordedResource[] = [];
    const options = new Map<string, { protect?: boolean; retainOnDelete?: boolean; dependencies: string[] }>();
    const errors: unknown[] = [];
    const onRejection = (reason: unknown) => errors.push(reason);
    process.on("unhandledRejection", onRejection);
    try {
        const stackConfig = { ...readStackConfig(stack, root), ...ACCOUNT_VIEW, ...overrides };
        const placeholders = offlineSecrets(stackConfig);
        const config = { ...stackConfig, ...placeholders };
        pulumi.runtime.setAllConfig(config, [...secretKeys, ...Object.keys(placeholders)]);
        await pulumi.runtime.setMocks({
            newResource(args: pulumi.runtime.MockResourceArgs) {
                resources.push({
                    type: args.type,
                    name: args.name,
                    inputs: args.inputs as Record<string, unknown>,
                    provider: args.provider,
                    custom: args.custom ?? true,
                });
                if (args.type === "pulumi:pulumi:StackReference") {
                    // `stackOutputs` stands in for the referenced stacks' outputs (none: an empty map).
                    const referenced = String(args.inputs.name);
                    return { id: referenced, state: { name: referenced, outputs: stackOutputs[referenced] ?? {} } };
                }
                return {
                    id: `${args.name}-id`,
                    state: { ...args.inputs, fullyQualifiedName: fullyQualifiedName(args.inputs) },
                };
            },
            call(args: pulumi.runtime.MockCallArgs) {
                return args.inputs;
            },
        }, PROJECT_NAME, stack, false);
        // The mocks see no resource options; the request the monitor receives has them.
        const monitor = getMonitor() as unknown as { registerResource(request: RegisterRequest, callback: unknown): unknown };
        const register = monitor.registerResource.bind(monitor);
        monitor.registerResource = (request, callback) => {
            options.set(`${request.getType()}::${request.getName()}`,
                { protect: request.getProtect(), retainOnDelete: request.getRetainondelete(), dependencies: request.getDependenciesList() });
            return register(request, callback);
        };

        delete require.cache[require.resolve(program)];
        const exported = require(program) as Record<string, unknown>;
        await settle(resources, errors);
        if (errors.length > 0) {
            throw errors[0];
        }
        const withOptions = resources.map((resource) => {
            const recorded = options.get(`${resource.type}::${resource.name}`);
            return { ...resource, protect: recorded?.protect === true, retainOnDelete: recorded?.retainOnDelete === true,
                dependencies: recorded?.dependencies ?? [] };
        });
        const outputs: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(exported)) {
            outputs[key] = await new Promise((resolve) => (pulumi.output(value) as unknown as pulumi.Output<unknown>).apply(resolve));
        }
        return { stack, resources: withOptions, outputs, config };
    } finally {
        process.off("unhandledRejection", onRejection);
    }
}
