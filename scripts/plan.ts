/**
 * The offline plan: `npm run plan -- <stack>` prints what `pulumi up` would create for
 * Pulumi.<stack>.yaml, without a Snowflake account or the Pulumi CLI, and runs the policy pack
 * over it (exit 1 on a violation).
 *
 * `npm run plan -- --stack <stack> --against <git-ref>` builds the stack at <git-ref> too and
 * prints what changes between it and this checkout, as Markdown for a pull-request comment.
 * Exit status: 0 nothing changed, 2 something changed, 1 a policy violation or an error.
 * `--json` prints the plan model (or the diff) as JSON instead.
 */
import * as fs from "fs";
import * as path from "path";

import { buildOffline, PROJECT_ROOT } from "../plan/offline";
import { renderPlan } from "../plan/plan";
import { diffPlans, emptyPlanModel, exitCode, planModel, renderPlanDiff } from "../plan/planDiff";
import { extractRevision } from "../plan/revision";
import { checkBuild } from "../policy/offline";

const USAGE = "usage: plan [<stack> | --stack <stack>] [--against <git-ref>] [--json]";

interface Options {
    help: boolean;
    stack: string;
    against?: string;
    json: boolean;
}

function parseArgs(argv: readonly string[]): Options {
    const options: Options = { help: false, stack: "dev", json: false };
    for (let index = 0; index < argv.length; index++) {
        const arg = argv[index];
        const value = () => {
            const next = argv[++index];
            if (next === undefined || next.startsWith("--")) {
                throw new Error(`${arg} needs a value\n${USAGE}`);
            }
            return next;
        };
        if (arg === "--stack") {
            options.stack = value();
        } else if (arg === "--against") {
            options.against = value();
        } else if (arg === "--json") {
            options.json = true;
        } else if (arg === "--help" || arg === "-h") {
            options.help = true;
        } else if (!arg.startsWith("--") && index === 0) {
            options.stack = arg;
        } else {
            throw new Error(`unknown argument ${arg}\n${USAGE}`);
        }
    }
    return options;
}

/** Writes to stdout and waits until it is flushed: process.exit would cut a piped output short. */
function emit(text: string): Promise<void> {
    return new Promise((resolve, reject) => process.stdout.write(text, (error) => (error ? reject(error) : resolve())));
}

async function main(): Promise<number> {
    const options = parseArgs(process.argv.slice(2));
    if (options.help) {
        await emit(`${USAGE}\n`);
        return 0;
    }
    if (options.against === undefined) {
        const build = await buildOffline(options.stack);
        await emit(options.json ? `${JSON.stringify(planModel(build, PROJECT_ROOT), null, 2)}\n` : renderPlan(build));
        return checkBuild(build).length > 0 ? 1 : 0;
    }
    const revision = extractRevision(options.against);
    try {
        // A stack new on this branch is compared with nothing: all of it is added.
        const before = fs.existsSync(path.join(revision.root, `Pulumi.${options.stack}.yaml`))
            ? planModel(await buildOffline(options.stack, {}, [], revision.root), revision.root)
            : emptyPlanModel(options.stack);
        const after = planModel(await buildOffline(options.stack), PROJECT_ROOT);
        const diff = await diffPlans(before, after);
        await emit(options.json ? `${JSON.stringify(diff, null, 2)}\n`
            : renderPlanDiff(diff, `\`${revision.ref}\` (${revision.commit.slice(0, 12)})`, "this checkout"));
        return exitCode(diff);
    } finally {
        revision.dispose();
    }
}

main().then((code) => process.exit(code), (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
});
