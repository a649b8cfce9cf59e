/**
 * `npm run doctor -- --stack <stack> [--json] [--before-deploy]`: read-only checks of the
 * stack's Snowflake account, with the stack's own credentials. Exit 0 without failures, 1 with
 * failures, 2 when it could not connect.
 */
import { runDoctor } from "./run";
import { EXIT, exitCode, renderJson, renderText } from "./report";

const USAGE = "usage: doctor --stack <stack> [--json] [--before-deploy]";

export function parseArgs(argv: readonly string[]): { stack: string; json: boolean; beforeDeploy: boolean } {
    let stack: string | undefined;
    let json = false;
    let beforeDeploy = false;
    for (let index = 0; index < argv.length; index++) {
        const arg = argv[index];
        if (arg === "--stack") {
            stack = argv[++index];
            if (stack === undefined || stack.startsWith("--")) {
                throw new Error(`--stack needs a value\n${USAGE}`);
            }
        } else if (arg === "--json") {
            json = true;
        } else if (arg === "--before-deploy") {
            beforeDeploy = true;
        } else {
            throw new Error(`unknown argument ${arg}\n${USAGE}`);
        }
    }
    if (stack === undefined) {
        throw new Error(`--stack is required\n${USAGE}`);
    }
    return { stack, json, beforeDeploy };
}

async function main(): Promise<void> {
    let args: ReturnType<typeof parseArgs>;
    try {
        args = parseArgs(process.argv.slice(2));
    } catch (error) {
        process.stderr.write(`${(error as Error).message}\n`);
        process.exit(EXIT.noConnection);
    }
    const report = await runDoctor({ stack: args.stack, beforeDeploy: args.beforeDeploy, env: process.env });
    process.stdout.write(args.json ? renderJson(report) : renderText(report));
    process.exit(exitCode(report));
}

if (require.main === module) {
    // runDoctor reports what it finds; an error escaping it is a defect of the doctor, reported as a failure.
    main().catch((error: unknown) => {
        process.stderr.write(`doctor failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(EXIT.failures);
    });
}
