/**
 * The offline plan: `npm run plan -- <stack>` prints what `pulumi up` would create for
 * Pulumi.<stack>.yaml, without a Snowflake account or the Pulumi CLI.
 */
import { buildOffline } from "../lib/offline";
import { renderPlan } from "../lib/plan";

async function main(): Promise<void> {
    const stack = process.argv[2] ?? "dev";
    const build = await buildOffline(stack);
    process.stdout.write(renderPlan(build));
}

main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
});
