import { expect } from "chai";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";

import { ACCOUNT_ADMIN_ROLES, parseConfig } from "../lib/config/stack";
import { PROJECT_ROOT, readStackConfig } from "../plan/offline";

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
    concurrency?: unknown;
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
        expect(files).to.deep.equal(["bootstrap.yml", "deploy.yml", "drift.yml", "pull-request.yml"]);
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
            // The read-only preview identity of each stack, from that stack's protected environment.
            expect(preview.environment).to.equal("preview-${{ matrix.stack }}");
            expect(preview.env?.PULUMI_ACCESS_TOKEN).to.equal("${{ secrets.PULUMI_PREVIEW_ACCESS_TOKEN }}");
            expect(preview.env?.SNOWFLAKE_PRIVATE_KEY).to.match(/secrets\[format\('SNOWFLAKE_PREVIEW_KEY_\{0\}', matrix\.secret_suffix\)\]/);
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
        expect(used).to.include.members(["PULUMI_ACCESS_TOKEN", "SNOWFLAKE_PRIVATE_KEY_DEV", "SNOWFLAKE_PRIVATE_KEY_PROD",
            "SNOWFLAKE_PREVIEW_KEY_DEV", "SNOWFLAKE_PREVIEW_KEY_PROD", "SNOWFLAKE_ADMIN_KEY"]);
    });
});

/** The secrets a job can read: those its own text names (GITHUB_TOKEN aside), with the stacks a format() expands to. */
function jobSecrets(job: Job): string[] {
    return secretNames(yaml.dump(job)).filter((name) => name !== "GITHUB_TOKEN");
}

function environmentOf(job: Job): string | undefined {
    return typeof job.environment === "string" ? job.environment : job.environment?.name;
}

/** Triggers whose jobs run code a pull request's author wrote, or run with secrets on behalf of a pull request. */
const PULL_REQUEST_TRIGGERS = ["pull_request", "pull_request_target", "workflow_run"];
/** Secrets a pull request's jobs may read, in a preview environment: the read-only preview identity and the stack's passphrase. */
const PREVIEW_SECRET = /^(SNOWFLAKE_PREVIEW_KEY(_PASSPHRASE)?_[A-Z0-9_]+|PULUMI_PREVIEW_ACCESS_TOKEN|PULUMI_CONFIG_PASSPHRASE)$/;

/**
 * What issue 15 item 2 forbids, for a set of workflows: a secret outside a GitHub environment (a repository
 * secret is readable by any workflow a same-repository branch edits), a pull request's job reading anything
 * but the preview identity, or doing so outside a `preview-` environment; and the administrator's key
 * anywhere but the bootstrap workflow's `bootstrap-` environment.
 */
export function credentialProblems(workflows: Record<string, Workflow>): string[] {
    const problems: string[] = [];
    for (const [file, workflow] of Object.entries(workflows)) {
        const pullRequest = Object.keys(workflow.on ?? {}).filter((trigger) => PULL_REQUEST_TRIGGERS.includes(trigger));
        if (pullRequest.some((trigger) => trigger !== "pull_request")) {
            problems.push(`${file}: triggered by ${pullRequest.join(", ")}, which runs with secrets for a pull request`);
        }
        for (const [name, job] of Object.entries(workflow.jobs)) {
            const secrets = jobSecrets(job);
            const environment = environmentOf(job);
            if (secrets.length > 0 && environment === undefined) {
                problems.push(`${file} ${name}: reads ${secrets.join(", ")} outside a GitHub environment`);
            }
            if (pullRequest.length > 0 && secrets.length > 0) {
                const other = secrets.filter((secret) => !PREVIEW_SECRET.test(secret));
                if (other.length > 0) {
                    problems.push(`${file} ${name}: runs pull-request code with ${other.join(", ")}`);
                }
                if (!(environment ?? "").startsWith("preview-")) {
                    problems.push(`${file} ${name}: runs pull-request code with credentials outside a preview- environment`);
                }
            }
            const admin = secrets.filter((secret) => /^SNOWFLAKE_ADMIN_KEY/.test(secret));
            if (admin.length > 0 && (file !== "bootstrap.yml" || !(environment ?? "").startsWith("bootstrap-"))) {
                problems.push(`${file} ${name}: reads the administrator's ${admin.join(", ")} outside the bootstrap workflow's environment`);
            }
        }
    }
    return problems;
}

describe("workflow credentials (issue 15 item 2)", () => {
    const all = Object.fromEntries(fs.readdirSync(WORKFLOWS).filter((file) => /\.ya?ml$/.test(file)).map((file) => [file, load(file)]));

    it("keep every credential in a GitHub environment, pull requests to the preview identity, the admin key to the bootstrap", () => {
        expect(credentialProblems(all)).to.deep.equal([]);
    });

    it("find the preview job of main before the fix: the prod deploy key, run for any branch, outside an environment", () => {
        const before = load("pull-request.yml");
        const preview = before.jobs.preview;
        const old: Job = {
            ...preview,
            environment: undefined,
            env: {
                PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}",
                PULUMI_CONFIG_PASSPHRASE: "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}",
                SNOWFLAKE_PRIVATE_KEY: "${{ secrets[format('SNOWFLAKE_PRIVATE_KEY_{0}', matrix.secret_suffix)] }}",
            },
        };
        const problems = credentialProblems({ "pull-request.yml": { ...before, jobs: { preview: old } } });
        expect(problems.join("\n")).to.include("outside a GitHub environment");
        expect(problems.join("\n")).to.match(/runs pull-request code with .*PULUMI_ACCESS_TOKEN.*SNOWFLAKE_PRIVATE_KEY_PROD/);
        // A pull_request_target workflow, or the admin key in a deploy job, is refused as well.
        expect(credentialProblems({ "x.yml": { ...before, on: { pull_request_target: {} }, jobs: {} } })).to.have.length(1);
        const deploy = load("deploy.yml");
        const adminInDeploy = { ...deploy.jobs["up-prod"], env: { SNOWFLAKE_PRIVATE_KEY: "${{ secrets.SNOWFLAKE_ADMIN_KEY }}" } };
        expect(credentialProblems({ "deploy.yml": { ...deploy, jobs: { "up-prod": adminInDeploy } } }).join()).to.include("administrator");
    });

    it("preview as the read-only identity: its user and role from the environment, no refresh, previewRole refused by up", () => {
        const [step] = pulumiSteps(all["pull-request.yml"].jobs.preview);
        expect(step.with).to.not.have.property("refresh");
        const configMap = yaml.load(String(step.with?.["config-map"])) as Record<string, { value: string; secret: boolean }>;
        expect(configMap).to.deep.equal({
            "snowflake:user": { value: "${{ vars.SNOWFLAKE_PREVIEW_USER }}", secret: false },
            "wallmonitor:previewRole": { value: "${{ vars.SNOWFLAKE_PREVIEW_ROLE }}", secret: false },
        });
    });

    it("deploy only monitoring stacks, whose deploy identity holds no administrator role", () => {
        const deployed = Object.values(all["deploy.yml"].jobs).flatMap((job) => pulumiSteps(job).map((step) => String(step.with?.["stack-name"])));
        expect(deployed).to.deep.equal(["dev", "prod"]);
        for (const stack of deployed) {
            const config = parseConfig({ get: (key) => readStackConfig(stack)[`wallmonitor:${key}`] });
            expect(config.deployment, stack).to.equal("monitoring");
            expect(ACCOUNT_ADMIN_ROLES as readonly string[], stack).to.not.include(config.deployAdminRole ?? "");
        }
    });

    it("bootstrap in a workflow of its own, run by hand, in the bootstrap- environment, as <stack>-bootstrap with the stack's config", () => {
        const workflow = all["bootstrap.yml"];
        expect(Object.keys(workflow.on)).to.deep.equal(["workflow_dispatch"]);
        const monitoring = STACKS.filter((stack) => readStackConfig(stack)["wallmonitor:deployment"] === "monitoring");
        expect(workflow.on.workflow_dispatch.inputs.stack.options).to.deep.equal(monitoring);
        expect(jobSecrets(workflow.jobs.plan)).to.deep.equal([]);
        const job = workflow.jobs.bootstrap;
        expect(job.needs).to.equal("plan");
        expect(environmentOf(job)).to.equal("bootstrap-${{ inputs.stack }}");
        expect(job.env?.SNOWFLAKE_PRIVATE_KEY).to.equal("${{ secrets.SNOWFLAKE_ADMIN_KEY }}");
        const configure = job.steps.find((step) => /pulumi config cp/.test(step.run ?? ""))!;
        expect(configure.run).to.include('pulumi config cp --stack "$STACK" --dest "$STACK-bootstrap"');
        expect(configure.run).to.include('pulumi config set --stack "$STACK-bootstrap" wallmonitor:deployment bootstrap');
        expect(configure.run).to.include('snowflake:user "$ADMIN_USER"');
        const up = pulumiSteps(job).find((step) => step.with?.command === "up")!;
        expect(up.with).to.deep.include({ "stack-name": "${{ inputs.stack }}-bootstrap", policyPacks: "policy" });
        // No other workflow deploys or previews a bootstrap stack, and the environments of the purposes are apart.
        const environments = Object.entries(all).flatMap(([file, other]) => Object.values(other.jobs)
            .map((candidate) => [file, environmentOf(candidate)] as const)).filter(([, environment]) => environment !== undefined);
        for (const [file, environment] of environments) {
            const purpose = /^(preview|bootstrap|drift)-/.exec(environment!)?.[1] ?? "deploy";
            expect({ "pull-request.yml": "preview", "bootstrap.yml": "bootstrap", "drift.yml": "drift", "deploy.yml": "deploy" }[file],
                `${file}: ${environment}`).to.equal(purpose);
        }
    });
});
