import { expect } from "chai";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";

import { PROJECT_ROOT } from "../plan/offline";

/**
 * The GitHub Actions workflows cannot run here; these tests parse them and check what they
 * must do: previews per stack with the policy pack and a comment each, the offline plan diff
 * without credentials, `up` for dev on main and prod behind an approval, a scheduled drift
 * check, and only the secrets the README documents.
 */

interface Step {
    name?: string;
    uses?: string;
    run?: string;
    if?: string;
    id?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
}

interface Job {
    "runs-on": string;
    needs?: string | string[];
    if?: string;
    environment?: string | { name: string };
    permissions?: Record<string, string>;
    strategy?: { matrix: { stack?: string[]; include?: { stack: string }[] } };
    env?: Record<string, string>;
    steps: Step[];
}

interface Workflow {
    name: string;
    on: Record<string, any>;
    permissions?: Record<string, string>;
    jobs: Record<string, Job>;
}

const WORKFLOWS = path.join(PROJECT_ROOT, ".github", "workflows");

function load(file: string): Workflow {
    // js-yaml's default schema reads `on:` as the string key "on" (YAML 1.2), as GitHub does.
    return yaml.load(fs.readFileSync(path.join(WORKFLOWS, file), "utf8")) as Workflow;
}

/** The stacks this repository defines, from its Pulumi.<stack>.yaml files. */
const STACKS = fs.readdirSync(PROJECT_ROOT).map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined).sort();

function matrixStacks(job: Job): string[] {
    const matrix = job.strategy?.matrix;
    return [...(matrix?.stack ?? []), ...(matrix?.include ?? []).map((entry) => entry.stack)].sort();
}

function pulumiSteps(job: Job): Step[] {
    return job.steps.filter((step) => step.uses?.startsWith("pulumi/actions@"));
}

/** Every `secrets.NAME` and `secrets[format('PREFIX_{0}', …)]` (as PREFIX_<STACK>, - as _) a text mentions. */
function secretNames(text: string): string[] {
    const direct = [...text.matchAll(/secrets\.([A-Z0-9_]+)/g)].map((match) => match[1]);
    const formatted = [...text.matchAll(/secrets\[format\('([A-Z0-9_]+)\{0\}'/g)]
        .flatMap((match) => STACKS.map((stack) => `${match[1]}${stack.toUpperCase().replace(/-/g, "_")}`));
    return [...new Set([...direct, ...formatted])].sort();
}

/** The README's "Reviewing changes" section. */
function reviewingSection(): string {
    const readme = fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
    const start = readme.indexOf("## Reviewing changes");
    expect(start, "README has a Reviewing changes section").to.be.greaterThan(-1);
    const end = readme.indexOf("\n## ", start + 1);
    return readme.slice(start, end === -1 ? undefined : end);
}

describe("GitHub Actions workflows", () => {
    const files = fs.readdirSync(WORKFLOWS).filter((file) => /\.ya?ml$/.test(file)).sort();

    it("parse as YAML, with read-only default permissions, runnable jobs and pinned actions", () => {
        expect(files).to.deep.equal(["deploy.yml", "drift.yml", "pull-request.yml"]);
        for (const file of files) {
            const workflow = load(file);
            expect(workflow.name, file).to.be.a("string");
            expect(workflow.permissions, file).to.deep.equal({ contents: "read" });
            for (const [name, job] of Object.entries(workflow.jobs)) {
                expect(job["runs-on"], `${file} ${name}`).to.equal("ubuntu-latest");
                expect(job.steps.length, `${file} ${name}`).to.be.greaterThan(0);
                for (const need of [job.needs ?? []].flat()) {
                    expect(workflow.jobs, `${file} ${name} needs ${need}`).to.have.property(need);
                }
                for (const step of job.steps) {
                    expect(step.uses === undefined ? step.run : step.uses, `${file} ${name}: a step runs something`).to.be.a("string");
                    expect(step.uses === undefined || /^[\w.-]+\/[\w.-]+@(v\d+|[0-9a-f]{40})$/.test(step.uses), `${file} ${name} ${step.uses}`).to.equal(true);
                }
            }
        }
    });

    it("run only commands and files that exist here", () => {
        expect(fs.statSync(path.join(PROJECT_ROOT, ".ci", "run")).mode & 0o111).to.not.equal(0);
        for (const file of files) {
            for (const job of Object.values(load(file).jobs)) {
                for (const step of job.steps) {
                    for (const script of (step.run ?? "").match(/(?:scripts|\.ci)\/[\w./-]+/g) ?? []) {
                        expect(fs.existsSync(path.join(PROJECT_ROOT, script)), `${file}: ${script}`).to.equal(true);
                    }
                    for (const [key, value] of Object.entries(step.with ?? {})) {
                        if (key === "policyPacks") {
                            expect(fs.existsSync(path.join(PROJECT_ROOT, String(value), "PulumiPolicy.yaml")), `${file}: ${value}`).to.equal(true);
                        }
                        if (key === "policyPackConfigs") {
                            for (const stack of STACKS) {
                                const config = String(value).replace("${{ matrix.stack }}", stack);
                                if (!config.includes("${{")) {
                                    expect(fs.existsSync(path.join(PROJECT_ROOT, config)), `${file}: ${config}`).to.equal(true);
                                }
                            }
                        }
                    }
                }
            }
        }
    });

    describe("pull-request", () => {
        const workflow = load("pull-request.yml");

        it("runs on pull requests to main", () => {
            expect(workflow.on.pull_request.branches).to.deep.equal(["main"]);
        });

        it("previews every stack with --diff and the policy pack, one pull-request comment per stack", () => {
            const preview = workflow.jobs.preview;
            expect(matrixStacks(preview)).to.deep.equal(STACKS);
            const [step] = pulumiSteps(preview);
            expect(step.uses).to.equal("pulumi/actions@v6");
            expect(step.with).to.deep.include({ command: "preview", "stack-name": "${{ matrix.stack }}", diff: true, "comment-on-pr": true,
                policyPacks: "policy", policyPackConfigs: "policy/config.${{ matrix.stack }}.json" });
            expect(preview.permissions).to.deep.equal({ contents: "read", "pull-requests": "write" });
            // Forks get no secrets: the job is skipped for them rather than failing.
            expect(preview.if).to.include("github.event.pull_request.head.repo.full_name == github.repository");
            expect(preview.env?.PULUMI_ACCESS_TOKEN).to.equal("${{ secrets.PULUMI_ACCESS_TOKEN }}");
            expect(preview.env?.SNOWFLAKE_PRIVATE_KEY).to.match(/secrets\[format\('SNOWFLAKE_PRIVATE_KEY_\{0\}', matrix\.secret_suffix\)\]/);
            for (const entry of preview.strategy!.matrix.include!) {
                expect((entry as { secret_suffix?: string }).secret_suffix).to.equal(entry.stack.toUpperCase().replace(/-/g, "_"));
            }
        });

        it("posts the offline plan diff against the base branch for every stack, needing no secret", () => {
            const job = workflow.jobs["offline-plan"];
            expect(matrixStacks(job)).to.deep.equal(STACKS);
            expect(job.steps.find((step) => step.uses === "actions/checkout@v4")?.with).to.deep.equal({ "fetch-depth": 0 });
            const plan = job.steps.find((step) => step.id === "plan")!;
            expect(plan.run).to.include('scripts/plan.ts --stack "$STACK" --against "$BASE_REF"');
            expect(plan.env).to.deep.equal({ STACK: "${{ matrix.stack }}", BASE_REF: "origin/${{ github.base_ref }}" });
            const comment = job.steps.find((step) => step.uses === "actions/github-script@v7")!;
            expect(String(comment.with?.script)).to.include("wallmonitor-offline-plan:${process.env.STACK}");
            expect(String(comment.with?.script)).to.include("updateComment");
            expect(job.steps.some((step) => step.if === "steps.plan.outputs.status == '1'" && /exit 1/.test(step.run ?? ""))).to.equal(true);
            expect(secretNames(yaml.dump(job))).to.deep.equal([]);
        });

        it("runs the repository's tests", () => {
            expect(workflow.jobs.test.steps.map((step) => step.run).filter(Boolean)).to.deep.equal([".ci/run"]);
        });
    });

    describe("deploy", () => {
        const workflow = load("deploy.yml");

        it("runs `pulumi up` for dev on pushes to main, after the tests", () => {
            expect(workflow.on.push.branches).to.deep.equal(["main"]);
            const dev = workflow.jobs["up-dev"];
            expect(dev.needs).to.equal("test");
            expect(pulumiSteps(dev).map((step) => step.with)).to.deep.equal([{ command: "up", "stack-name": "dev", diff: true,
                policyPacks: "policy", policyPackConfigs: "policy/config.dev.json" }]);
        });

        it("deploys prod only after dev, through the production environment's approval", () => {
            const prod = workflow.jobs["up-prod"];
            expect(prod.needs).to.equal("up-dev");
            expect(prod.environment).to.equal("production");
            expect(pulumiSteps(prod).map((step) => step.with)).to.deep.equal([{ command: "up", "stack-name": "prod", diff: true,
                policyPacks: "policy", policyPackConfigs: "policy/config.prod.json" }]);
            expect(prod.env?.SNOWFLAKE_PRIVATE_KEY).to.equal("${{ secrets.SNOWFLAKE_PRIVATE_KEY_PROD }}");
            expect(workflow.jobs["up-dev"].env?.SNOWFLAKE_PRIVATE_KEY).to.equal("${{ secrets.SNOWFLAKE_PRIVATE_KEY_DEV }}");
        });

        it("deploys each stack once at a time", () => {
            expect((workflow.jobs["up-dev"] as any).concurrency).to.deep.equal({ group: "pulumi-dev", "cancel-in-progress": false });
            expect((workflow.jobs["up-prod"] as any).concurrency).to.deep.equal({ group: "pulumi-prod", "cancel-in-progress": false });
        });
    });

    describe("drift", () => {
        const workflow = load("drift.yml");

        it("previews every stack on a schedule with refresh and --expect-no-changes, and reports drift", () => {
            const [schedule] = workflow.on.schedule as { cron: string }[];
            const fields = schedule.cron.split(" ");
            expect(fields).to.have.length(5);
            expect(Number(fields[0])).to.be.within(0, 59);
            expect(Number(fields[1])).to.be.within(0, 23);
            expect(workflow.on).to.have.property("workflow_dispatch");
            const job = workflow.jobs.drift;
            expect(matrixStacks(job)).to.deep.equal(STACKS);
            expect(pulumiSteps(job)[0].with).to.deep.include({ command: "preview", "stack-name": "${{ matrix.stack }}", refresh: true,
                "expect-no-changes": true });
            expect(job.steps.some((step) => step.if === "failure()" && step.uses === "actions/github-script@v7")).to.equal(true);
            expect(job.permissions).to.deep.equal({ contents: "read", issues: "write" });
        });
    });

    it("use only the secrets the README documents, and the README documents only those", () => {
        const used = [...new Set(files.flatMap((file) => secretNames(fs.readFileSync(path.join(WORKFLOWS, file), "utf8"))))]
            .filter((name) => name !== "GITHUB_TOKEN").sort();
        const section = reviewingSection();
        const documented = [...section.matchAll(/`((?:PULUMI|SNOWFLAKE)_[A-Z0-9_]+)`/g)].map((match) => match[1])
            .filter((name) => !["SNOWFLAKE_PRIVATE_KEY", "SNOWFLAKE_PRIVATE_KEY_PASSPHRASE"].includes(name));
        expect(used).to.deep.equal([...new Set(documented)].sort());
        expect(used).to.include.members(["PULUMI_ACCESS_TOKEN", "SNOWFLAKE_PRIVATE_KEY_DEV", "SNOWFLAKE_PRIVATE_KEY_PROD"]);
    });
});
