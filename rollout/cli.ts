import * as fs from "fs";

import { parseConfig } from "../lib/config/stack";
import { PROJECT_ROOT, readStackConfig } from "../plan/offline";
import { runRollout } from "./run";
import { planWaves, StackRole } from "./waves";
import { localWorkspace, RolloutWorkspace } from "./workspace";

/**
 * `npm run rollout -- [--dry-run] [--verbose] [--wave a,b ...] (--all | stack ...)`: previews
 * every selected stack, then updates them wave by wave (by default members and standalone
 * stacks first, central stacks last), stopping at the first failure with a summary.
 */

export const USAGE = "usage: npm run rollout -- [--dry-run] [--verbose] [--wave STACK,STACK ...] (--all | STACK ...)";

export interface RolloutArgs {
    readonly stacks: readonly string[];
    readonly all: boolean;
    readonly dryRun: boolean;
    readonly verbose: boolean;
    readonly waves?: readonly (readonly string[])[];
}

export class UsageError extends Error {}

export function parseArgs(argv: readonly string[]): RolloutArgs {
    const stacks: string[] = [];
    const waves: string[][] = [];
    let all = false;
    let dryRun = false;
    let verbose = false;
    for (let index = 0; index < argv.length; index++) {
        const arg = argv[index];
        if (arg === "--dry-run") {
            dryRun = true;
        } else if (arg === "--verbose") {
            verbose = true;
        } else if (arg === "--all") {
            all = true;
        } else if (arg === "--wave") {
            const value = argv[++index];
            if (value === undefined || value.startsWith("--")) {
                throw new UsageError(`--wave needs a comma-separated list of stacks\n${USAGE}`);
            }
            waves.push(value.split(",").map((name) => name.trim()).filter((name) => name !== ""));
        } else if (arg.startsWith("--")) {
            throw new UsageError(`unknown option ${arg}\n${USAGE}`);
        } else {
            stacks.push(arg);
        }
    }
    if (all === (stacks.length > 0) && waves.length === 0) {
        throw new UsageError(`name the stacks, or --all for every Pulumi.<stack>.yaml\n${USAGE}`);
    }
    return { stacks, all, dryRun, verbose, waves: waves.length > 0 ? waves : undefined };
}

/** Every stack with a stack file in the project. */
export function stackFiles(root: string = PROJECT_ROOT): string[] {
    return fs.readdirSync(root).map((entry) => /^Pulumi\.(.+)\.yaml$/.exec(entry)?.[1])
        .filter((name): name is string => name !== undefined).sort();
}

/** Each stack's role, from its stack file; a stack whose config is invalid fails here, before any preview. */
export function stackRoles(stacks: readonly string[]): StackRole[] {
    return stacks.map((name) => {
        const raw = readStackConfig(name);
        return { name, role: parseConfig({ get: (key) => raw[`wallmonitor:${key}`] }).accountRole };
    });
}

/** Runs the rollout; resolves to the process exit code (0 done, 1 stopped at a failure, 2 refused). */
export async function main(argv: readonly string[], workspace: RolloutWorkspace, log: (line: string) => void): Promise<number> {
    let waves: string[][];
    let args: RolloutArgs;
    try {
        args = parseArgs(argv);
        const selected = args.all ? stackFiles() : [...args.stacks, ...(args.waves ?? []).flat()
            .filter((name) => !args.stacks.includes(name))];
        waves = planWaves(stackRoles([...new Set(selected)]), args.waves);
    } catch (error) {
        log(`rollout refused: ${error instanceof Error ? error.message : String(error)}`);
        return 2;
    }
    log(`rollout${args.dryRun ? " (dry run)" : ""}: ${waves.map((wave, index) => `wave ${index + 1} [${wave.join(", ")}]`).join(", then ")}`);
    const report = await runRollout({ workspace, waves, dryRun: args.dryRun, verbose: args.verbose, log });
    return report.ok ? 0 : 1;
}

if (require.main === module) {
    main(process.argv.slice(2), localWorkspace(PROJECT_ROOT), (line) => console.log(line))
        .then((code) => process.exit(code), (error) => {
            console.error(error);
            process.exit(1);
        });
}
