/**
 * The privilege check over offline builds (privileges/): `npm run privileges -- [--stack <s>]...`
 * prints every gap (exit 1 when there is one). `--markdown` prints the README block (over
 * dev, prod, central and member-eu unless stacks are named); `--json` prints, for one stack,
 * what test/sql/privileges.py needs: each procedure statement's requirements and the roles'
 * grants and ownerships. `--without <grant id>` leaves one declared grant out (a mutation).
 * `--readme` writes the `--markdown` output between README.md's privileges markers.
 */
import * as fs from "fs";
import * as path from "path";

import { buildOffline, PROJECT_ROOT } from "../plan/offline";
import { analyse, Analysis, renderMarkdown } from "../privileges/check";
import { collect } from "../privileges/collect";
import { normalize } from "../privileges/classify";

export const README_STACKS = ["dev", "prod", "central", "member-eu"];
const USAGE = "usage: privileges [--stack <stack>]... [--markdown | --readme | --json] [--without <grant id>]";
export const README_MARKERS = /(<!-- privileges:begin -->\n)[\s\S]*?(<!-- privileges:end -->)/;

interface Options {
    stacks: string[];
    markdown: boolean;
    readme: boolean;
    json: boolean;
    without?: string;
}

function parseArgs(argv: readonly string[]): Options {
    const options: Options = { stacks: [], markdown: false, readme: false, json: false };
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
            options.stacks.push(value());
        } else if (arg === "--markdown") {
            options.markdown = true;
        } else if (arg === "--readme") {
            options.readme = true;
        } else if (arg === "--json") {
            options.json = true;
        } else if (arg === "--without") {
            options.without = value();
        } else {
            throw new Error(`unknown argument ${arg}\n${USAGE}`);
        }
    }
    return options;
}

/** Analyses one stack after another: the offline build uses one global mock runtime. */
export async function analyseStacks(stacks: readonly string[], without?: string): Promise<Analysis[]> {
    const analyses: Analysis[] = [];
    for (const stack of stacks) {
        const build = await buildOffline(stack);
        const collected = await collect(build);
        analyses.push(analyse(build, collected, { without: (grant) => grant.id === without }));
    }
    return analyses;
}

/** What the emulator's privilege wrapper needs for one stack (see test/sql/privileges.py). */
export function jsonExport(analysis: Analysis): unknown {
    const roles = [...analysis.checkedRoles].filter((role) => analysis.checked.some(({ statement }) => statement.role === role));
    return {
        stack: analysis.stack,
        statements: analysis.checked.filter(({ statement }) => / statement /.test(statement.source)).map(({ statement, classified }) => ({
            role: statement.role,
            source: statement.source,
            code: normalize(statement.text),
            row: classified.row.id,
            agents: classified.row.agents ?? (classified.requirements.some((requirement) => requirement.anyOf.some((alternative) => alternative.bind)) ? "bind" : null),
            // Agents are checked per agent at run time (test/sql/privileges.py): the export lists what is held on them.
            requirements: classified.requirements.filter((requirement) => !requirement.anyOf.some((alternative) => alternative.on?.type === "AGENT"))
                .map((requirement) => ({ row: requirement.row, url: requirement.url, satisfied: requirement.anyOf.some((alternative) =>
                    analysis.holdings.satisfies(statement.role, alternative)), needs: requirement.anyOf })),
            agentPrivileges: classified.requirements.flatMap((requirement) => requirement.anyOf)
                .filter((alternative) => alternative.on?.type === "AGENT").map((alternative) => alternative.privilege),
        })),
        roles: Object.fromEntries(roles.map((role) => [role, {
            agentGrants: analysis.grants.filter((grant) => analysis.holdings.closure(role).has(grant.grantee))
                .filter((grant) => (grant.on?.kind === "object" ? grant.on.object.type === "AGENT" : grant.on?.objectType === "AGENT"))
                .map((grant) => ({ privileges: grant.privileges, on: grant.on })),
        }])),
        grants: analysis.grants.map((grant) => ({ id: grant.id, grantee: grant.grantee, statement: grant.statement })),
    };
}

async function main(): Promise<void> {
    const options = parseArgs(process.argv.slice(2));
    const stacks = options.stacks.length > 0 ? options.stacks : options.json ? ["dev"] : README_STACKS;
    const analyses = await analyseStacks(stacks, options.without);
    if (options.markdown) {
        process.stdout.write(renderMarkdown(analyses));
        return;
    }
    if (options.readme) {
        const file = path.join(PROJECT_ROOT, "README.md");
        const readme = fs.readFileSync(file, "utf8");
        if (!README_MARKERS.test(readme)) {
            throw new Error("README.md has no <!-- privileges:begin --> ... <!-- privileges:end --> block to fill");
        }
        fs.writeFileSync(file, readme.replace(README_MARKERS, (_match, begin: string, end: string) => `${begin}${renderMarkdown(analyses)}${end}`));
        return;
    }
    if (options.json) {
        process.stdout.write(`${JSON.stringify(jsonExport(analyses[0]), null, 1)}\n`);
        return;
    }
    let gaps = 0;
    for (const analysis of analyses) {
        process.stdout.write(`## ${analysis.stack}: ${analysis.checked.length} statements, ${analysis.grants.length} declared grants, ` +
            `${analysis.gaps.length} gap(s)\n`);
        for (const gap of analysis.gaps) {
            process.stdout.write(`- ${gap.message}\n`);
        }
        gaps += analysis.gaps.length;
    }
    process.exitCode = gaps > 0 ? 1 : 0;
}

if (require.main === module) {
    main().catch((error) => {
        process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
    });
}
