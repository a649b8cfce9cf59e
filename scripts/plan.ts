/** The offline plan's command line; HELP below is its manual. */
import * as fs from "fs";
import * as path from "path";

import { buildOffline, PROJECT_ROOT } from "../plan/offline";
import { renderPlan } from "../plan/plan";
import { diffPlans, emptyPlanModel, exitCode, planModel, renderPlanDiff } from "../plan/planDiff";
import { extractRevision } from "../plan/revision";
import { checkBuild } from "../policy/offline";

const USAGE = "usage: plan [<stack> | --stack <stack>] [--full] [--markdown] [--against <git-ref>] [--json] [--help]";

const HELP = `${USAGE}

What \`pulumi up\` would do for Pulumi.<stack>.yaml, built on Pulumi's mock runtime: no Snowflake
account, no Pulumi CLI, no credentials. The policy pack (policy/) runs over the result.

Modes
  (default)            a summary a reviewer reads in a minute: the objects of each component
                       (with the resources of Wallmonitor's own provider under the component that
                       owns them), the grants, the risks, the policy verdict
  --full               the summary, then every SQL body (views, dynamic tables, tasks, the
                       statements each procedure embeds) and every statement of Wallmonitor's provider
  --markdown           with --full: each SQL body folded into <details>, for a pull-request comment
  --against <git-ref>  builds the stack at <git-ref> too and prints what changes between it and this
                       checkout, as Markdown for a pull-request comment (risky changes first)
  --json               the plan model (or, with --against, the diff) as JSON

Flags
  <stack>, --stack <stack>   the stack (default dev); Pulumi.<stack>.yaml must exist
  --help, -h                 this text

Examples
  npm run plan -- --stack prod
  npm run plan -- --stack dev --full --markdown > plan.md
  npm run plan -- --stack dev --against origin/main

Exit status
  without --against: 0 the policies pass, 1 a policy violation or an error
  with --against:    0 nothing changed, 2 something changed, 1 a policy violation or an error
`;

interface Options {
    help: boolean;
    stack: string;
    against?: string;
    json: boolean;
    full: boolean;
    markdown: boolean;
}

function parseArgs(argv: readonly string[]): Options {
    const options: Options = { help: false, stack: "dev", json: false, full: false, markdown: false };
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
        } else if (arg === "--full") {
            options.full = true;
        } else if (arg === "--markdown") {
            options.markdown = true;
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
        await emit(HELP);
        return 0;
    }
    if (options.markdown && !options.full) {
        throw new Error(`--markdown folds the SQL bodies that --full adds: give both\n${USAGE}`);
    }
    if (options.against === undefined) {
        const build = await buildOffline(options.stack);
        await emit(options.json ? `${JSON.stringify(planModel(build, PROJECT_ROOT), null, 2)}\n` : renderPlan(build, { full: options.full, markdown: options.markdown }));
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
