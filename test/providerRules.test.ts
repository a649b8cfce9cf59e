import { expect } from "chai";
import type { PolicyResource, StackValidation } from "@pulumi/policy";

import { buildOffline, OfflineBuild, RecordedResource } from "../plan/offline";
import { checkBuild, stackSubjects } from "../policy/offline";
import { policyContext, STACK_POLICIES } from "../policy/pack";
import { PROVIDER_RULES, PROVIDER_STACK_RULES, runStackPolicies, StackSubject } from "../policy/providerRules";
import type { PolicySubject } from "../policy/subject";

const T = (kind: string) => `snowflake:index/${kind[0].toLowerCase()}${kind.slice(1)}:${kind}`;
const MINE = [...PROVIDER_RULES, ...PROVIDER_STACK_RULES].map((rule) => rule.name);
const context = policyContext(["VIEWER"]);
const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

function resourceRule(name: string, subject: PolicySubject): string[] {
    const rule = PROVIDER_RULES.find((candidate) => candidate.name === name);
    expect(rule, name).to.not.equal(undefined);
    return rule!.check(subject, context);
}

/** The provider rules' violations of a build. */
const mine = (build: OfflineBuild) => checkBuild(build).filter((violation) => MINE.includes(violation.policy));

/** `build` with the resources matching `which` changed by `change`. */
function mutate(build: OfflineBuild, which: (resource: RecordedResource) => boolean,
                change: (resource: RecordedResource) => RecordedResource): OfflineBuild {
    let matched = 0;
    const resources = build.resources.map((resource) => {
        if (!which(resource)) {
            return resource;
        }
        matched += 1;
        return change(resource);
    });
    expect(matched, "resources mutated").to.be.greaterThan(0);
    return { ...build, resources };
}
const withInputs = (inputs: Record<string, unknown>) => (resource: RecordedResource) => ({ ...resource, inputs: { ...resource.inputs, ...inputs } });
const named = (kind: string, name: string) => (resource: RecordedResource) => resource.type === T(kind) && resource.inputs.name === name;

describe("provider-behaviour rules, without the engine", () => {
    it("are named and described like the pack's other rules, and each cites its source", () => {
        for (const rule of [...PROVIDER_RULES, ...PROVIDER_STACK_RULES]) {
            expect(rule.name).to.match(/^[a-z]+(-[a-z]+)+$/);
            expect(rule.description, rule.name).to.match(/^[A-Z][^.]*(\.[a-z`][^.]*)*\.$/);
            expect(rule.description, rule.name).to.match(/pkg\/|issues? \d|https:\/\/docs\.snowflake\.com\/en\//);
        }
        expect(new Set(MINE).size).to.equal(MINE.length);
    });

    it("views-copy-grants: a view without copyGrants fails", () => {
        const view = (props: Record<string, unknown>): PolicySubject => ({ type: T("View"), name: "v", props: { name: "V", statement: "SELECT 1", ...props } });
        expect(resourceRule("views-copy-grants", view({ copyGrants: true }))).to.deep.equal([]);
        expect(resourceRule("views-copy-grants", view({}))).to.have.length(1).and.to.match(/view V does not set copyGrants/);
        expect(resourceRule("views-copy-grants", view({ copyGrants: false }))).to.have.length(1);
    });

    it("literal-defaults-constant: literals as expressions and quoted text constants fail; function calls and bare constants pass", () => {
        const table = (type: string, given: Record<string, unknown>): PolicySubject => ({ type: T("Table"), name: "t",
            props: { name: "T", columns: [{ name: "C", type, default: given }, { name: "D", type: "NUMBER(38,0)" }] } });
        expect(resourceRule("literal-defaults-constant", table("BOOLEAN", { constant: "TRUE" }))).to.deep.equal([]);
        expect(resourceRule("literal-defaults-constant", table("VARCHAR(16777216)", { constant: "%" }))).to.deep.equal([]);
        expect(resourceRule("literal-defaults-constant", table("TIMESTAMP_NTZ(9)", { expression: "SYSDATE()" }))).to.deep.equal([]);
        for (const [type, literal] of [["BOOLEAN", "TRUE"], ["VARCHAR(16777216)", "'%'"], ["VARCHAR(16777216)", "'MANUAL'"], ["NUMBER(38,0)", "0"]]) {
            expect(resourceRule("literal-defaults-constant", table(type, { expression: literal })), literal)
                .to.have.length(1).and.to.match(/T\.C has the literal default .* as an expression/);
        }
        expect(resourceRule("literal-defaults-constant", table("VARCHAR(16777216)", { constant: "'%'" }))).to.have.length(1).and.to.match(/unquoted/);
        expect(resourceRule("literal-defaults-constant", table("VARCHAR(16777216)", { constant: "" }))).to.have.length(1).and.to.match(/never sends/);
    });

    it("task-root-settings-on-roots: allowOverlappingExecution anywhere and root-only settings on a child fail", () => {
        const task = (props: Record<string, unknown>): PolicySubject => ({ type: T("Task"), name: "t",
            props: { name: "T", database: "DB", schema: "S", sqlStatement: "CALL P()", ...props } });
        const child = { afters: ['"DB"."S"."ROOT"'] };
        expect(resourceRule("task-root-settings-on-roots", task({ schedule: { minutes: 5 }, suspendTaskAfterNumFailures: 3 }))).to.deep.equal([]);
        expect(resourceRule("task-root-settings-on-roots", task({ ...child, userTaskManagedInitialWarehouseSize: "XSMALL" }))).to.deep.equal([]);
        expect(resourceRule("task-root-settings-on-roots", task({ allowOverlappingExecution: "false" }))).to.have.length(1).and.to.match(/OVERLAP_POLICY/);
        expect(resourceRule("task-root-settings-on-roots", task({ ...child, allowOverlappingExecution: "false", schedule: { minutes: 5 },
            suspendTaskAfterNumFailures: 3, taskAutoRetryAttempts: 1, errorIntegration: "Q" })))
            .to.have.length(5).and.to.include("task T runs after another task but sets taskAutoRetryAttempts, a setting of the root task only");
        // Unknown during a preview: still a child.
        expect(resourceRule("task-root-settings-on-roots", task({ afters: [UNKNOWN_STRING], schedule: { minutes: 5 } }))).to.have.length(1);
    });
});

for (const stack of ["dev", "prod", "central", "member-apps", "member-eu"]) {
    describe(`provider-behaviour rules over the ${stack} stack's offline build`, () => {
        it("pass", async () => {
            expect(mine(await buildOffline(stack))).to.deep.equal([]);
        });
    });
}

describe("provider-behaviour rules over violating builds", () => {
    let build: OfflineBuild;
    before(async () => {
        build = await buildOffline("dev");
    });

    it("pass on the dev build and see its task graph, dependencies and owner role", () => {
        expect(mine(build)).to.deep.equal([]);
        const rollup = stackSubjects(build).find((subject) => subject.props.name === "ROLLUP_AGENT_EVENTS_TASK")!;
        const onAccount = build.resources.find((resource) => resource.type === T("GrantPrivilegesToAccountRole") && resource.inputs.onAccount === true)!;
        expect(rollup.providerRole).to.be.a("string").and.to.equal(onAccount.inputs.accountRoleName);
        expect(rollup.dependencies.some((key) => key.endsWith("::wallmonitor-dev-ingestion-discover-agents-task"))).to.equal(true);
    });

    it("views-copy-grants fails for a view without copyGrants", () => {
        const violations = mine(mutate(build, named("View", "AGENT_METRICS"), withInputs({ copyGrants: undefined })));
        expect(violations.map((violation) => violation.policy)).to.deep.equal(["views-copy-grants"]);
    });

    it("literal-defaults-constant fails for a literal default given as an expression", () => {
        const violations = mine(mutate(build, named("Table", "AGENT_REGISTRY"), (resource) => withInputs({
            columns: (resource.inputs.columns as Record<string, unknown>[]).map((column) =>
                (column.name === "IS_ACTIVE" ? { ...column, default: { expression: "TRUE" } } : column)),
        })(resource)));
        expect(violations.map((violation) => violation.policy)).to.deep.equal(["literal-defaults-constant"]);
        expect(violations[0].message).to.match(/AGENT_REGISTRY\.IS_ACTIVE/);
    });

    it("task-root-settings-on-roots fails for allowOverlappingExecution and for a schedule on a child task", () => {
        const overlapping = mine(mutate(build, named("Task", "DISCOVER_AGENTS_TASK"), withInputs({ allowOverlappingExecution: "false" })));
        expect(overlapping.map((violation) => violation.policy)).to.deep.equal(["task-root-settings-on-roots"]);
        const scheduled = mine(mutate(build, named("Task", "ROLLUP_AGENT_EVENTS_TASK"), withInputs({ schedule: { minutes: 5 } })));
        expect(scheduled.map((violation) => violation.message)).to.deep.equal(
            ["task ROLLUP_AGENT_EVENTS_TASK runs after another task but sets schedule, a setting of the root task only"]);
    });

    it("task-graph-changes-serialised fails when the two children of the refresh task do not wait for each other", () => {
        const parallel = mutate(build, named("Task", "ROLLUP_AGENT_EVENTS_TASK"), (resource) => ({ ...resource,
            dependencies: (resource.dependencies ?? []).filter((urn) => !urn.endsWith("::wallmonitor-dev-ingestion-discover-agents-task")) }));
        const violations = mine(parallel);
        expect(violations.map((violation) => violation.policy)).to.deep.equal(["task-graph-changes-serialised"]);
        expect(violations[0].message).to.match(/DISCOVER_AGENTS_TASK and ROLLUP_AGENT_EVENTS_TASK of the graph of REFRESH_AGENT_EVENTS_TASK/);
    });

    it("started-task-owner-can-execute fails when the owner lacks EXECUTE TASK or EXECUTE MANAGED TASK", () => {
        for (const missing of ["EXECUTE TASK", "EXECUTE MANAGED TASK"]) {
            const violations = mine(mutate(build, (resource) => resource.type === T("GrantPrivilegesToAccountRole") && resource.inputs.onAccount === true,
                (resource) => withInputs({ privileges: (resource.inputs.privileges as string[]).filter((privilege) => privilege !== missing) })(resource)));
            expect(violations.map((violation) => violation.policy), missing).to.deep.equal(Array(3).fill("started-task-owner-can-execute"));
            expect(violations[0].message).to.include(`granted no ${missing} on the account`);
        }
        // A task on a warehouse needs no EXECUTE MANAGED TASK; a task not started needs neither.
        const onWarehouse = mutate(mutate(build, (resource) => resource.type === T("GrantPrivilegesToAccountRole") && resource.inputs.onAccount === true,
            withInputs({ privileges: ["EXECUTE TASK"] })), (resource) => resource.type === T("Task"), withInputs({ warehouse: "WH" }));
        expect(runStackPolicies(stackSubjects(onWarehouse), context).filter((violation) => violation.policy === "started-task-owner-can-execute"))
            .to.deep.equal([]);
        const stopped = mutate(mutate(build, (resource) => resource.type === T("GrantPrivilegesToAccountRole") && resource.inputs.onAccount === true,
            withInputs({ privileges: [] })), (resource) => resource.type === T("Task"), withInputs({ started: false }));
        expect(mine(stopped)).to.deep.equal([]);
    });

    it("incremental-sources-track-changes fails when the view under the INCREMENTAL dynamic table leaves change tracking to the provider", () => {
        const violations = mine(mutate(build, named("View", "AGENT_EVENTS_RECENT"), withInputs({ changeTracking: undefined })));
        // One violation per INCREMENTAL dynamic table that reads it.
        expect(violations.map((violation) => violation.policy)).to.deep.equal(["incremental-sources-track-changes", "incremental-sources-track-changes"]);
        expect(violations.map((violation) => violation.message.match(/dynamic table (\w+)/)?.[1]))
            .to.have.members(["DT_THREAD_ACTIVITY_RECENT", "DT_HOURLY_THREAD_ACTIVITY_RECENT"]);
    });

    it("task-error-integration-is-queue fails when a task sends its errors to alerting's email integration", async () => {
        const alerting = await buildOffline("dev", { "wallmonitor:alertingEnabled": "true", "wallmonitor:alertEmailRecipients": "oncall@acme.com" });
        expect(mine(alerting)).to.deep.equal([]);
        const email = alerting.resources.find((resource) => resource.type.endsWith(":EmailIntegration"))!;
        const violations = mine(mutate(alerting, named("Task", "REFRESH_AGENT_EVENTS_TASK"), withInputs({ errorIntegration: email.inputs.name })));
        expect(violations.map((violation) => violation.policy)).to.deep.equal(["task-error-integration-is-queue"]);
        expect(mine(mutate(alerting, named("Task", "REFRESH_AGENT_EVENTS_TASK"), withInputs({ errorIntegration: "OPS_SNS_TOPIC" })))).to.deep.equal([]);
    });
});

describe("provider-behaviour stack rules in the CrossGuard pack", () => {
    const urn = (type: string, name: string) => `urn:pulumi:dev::wallmonitor::wallmonitor:index:Wallmonitor$${type}::${name}`;
    const resource = (type: string, name: string, props: Record<string, unknown>, extra: Partial<PolicyResource> = {}): PolicyResource =>
        ({ type, name, urn: urn(type, name), props, opts: { protect: false } as PolicyResource["opts"], dependencies: [], propertyDependencies: {},
            isType: () => false, asType: () => undefined, ...extra }) as unknown as PolicyResource;
    const provider = { type: "pulumi:providers:snowflake", name: "owner", urn: urn("pulumi:providers:snowflake", "owner"), props: { role: "OWNER" } };
    const task = (name: string, props: Record<string, unknown>, extra: Partial<PolicyResource> = {}) =>
        resource(T("Task"), name.toLowerCase(), { name, database: "DB", schema: "S", started: true, sqlStatement: "CALL P()", ...props }, { provider, ...extra });
    const grant = resource(T("GrantPrivilegesToAccountRole"), "g", { accountRoleName: "OWNER", onAccount: true, privileges: ["EXECUTE TASK", "EXECUTE MANAGED TASK"] });

    async function report(policy: string, resources: PolicyResource[]): Promise<{ message: string; urn?: string }[]> {
        const found: { message: string; urn?: string }[] = [];
        const validate = STACK_POLICIES.find((candidate) => candidate.name === policy)!.validateStack as StackValidation;
        await validate({ resources, stackTags: new Map(), getConfig: () => ({}) as never, notApplicable: () => undefined as never },
            (message: string, at?: string) => found.push({ message, urn: at }));
        return found;
    }

    it("registers every stack rule as a mandatory stack policy", () => {
        expect(STACK_POLICIES.map((policy) => policy.name)).to.deep.equal(PROVIDER_STACK_RULES.map((rule) => rule.name));
        expect(STACK_POLICIES.every((policy) => policy.enforcementLevel === "mandatory")).to.equal(true);
    });

    it("finds a child's root through afters' dependencies while afters is unknown, and reports against the resource's URN", async () => {
        const root = task("ROOT", { schedule: { minutes: 5 } });
        const first = task("FIRST", { afters: [UNKNOWN_STRING] }, { propertyDependencies: { afters: [root] } });
        const second = task("SECOND", { afters: [UNKNOWN_STRING] }, { propertyDependencies: { afters: [root] } });
        const parallel = await report("task-graph-changes-serialised", [root, first, second, grant]);
        expect(parallel).to.have.length(1);
        expect(parallel[0].urn).to.equal(second.urn);
        const chained = { ...second, dependencies: [root, first] } as PolicyResource;
        expect(await report("task-graph-changes-serialised", [root, first, chained, grant])).to.deep.equal([]);
    });

    it("reads the owner role from the task's provider", async () => {
        expect(await report("started-task-owner-can-execute", [task("ROOT", {}), grant])).to.deep.equal([]);
        const otherRole = { ...grant, props: { ...grant.props, accountRoleName: "SOMEONE_ELSE" } } as PolicyResource;
        expect(await report("started-task-owner-can-execute", [task("ROOT", {}), otherRole])).to.have.length(1);
        const unknownGrantee = { ...grant, props: { ...grant.props, accountRoleName: UNKNOWN_STRING, privileges: [] } } as PolicyResource;
        expect(await report("started-task-owner-can-execute", [task("ROOT", {}), unknownGrantee])).to.deep.equal([]);
        const noProvider = task("ROOT", {}, { provider: undefined });
        expect((await report("started-task-owner-can-execute", [noProvider, grant]))[0].message).to.match(/names no role/);
    });

    it("keys stack subjects the same way from URNs and from the offline build", async () => {
        const subjects: StackSubject[] = stackSubjects(await buildOffline("dev"));
        const keys = new Set(subjects.map((subject) => subject.key));
        const dangling = subjects.flatMap((subject) => subject.dependencies.filter((key) => !keys.has(key)));
        expect(dangling).to.deep.equal([]);
    });
});
