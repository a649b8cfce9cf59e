import { expect } from "chai";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";

import { ConfigError, parseConfig } from "../lib/config/stack";
import { ColumnSpec, columnChanges, declaredColumns, HISTORY_TABLES } from "../lib/sql/historyColumns";
import { buildOffline, PROJECT_ROOT, readStackConfig } from "../plan/offline";
import { diffPlans, exitCode, PlanModel, planModel, PlanObject, renderPlanDiff } from "../plan/planDiff";
import { extractRevision, Revision } from "../plan/revision";
import { AGENT_EVENTS_HISTORY, TABLES } from "../lib/sql/tables";
import { checkBuild } from "../policy/offline";
import { DEPLOYED_COLUMNS_FILE, deployedColumns, HISTORY_COLUMNS_RULE } from "../policy/historyColumns";
import { policyContext, RESOURCE_POLICIES } from "../policy/pack";
import { runPolicies } from "../policy/rules";

const TABLE = "snowflake:index/table:Table";
const history = (): ColumnSpec[] => AGENT_EVENTS_HISTORY.columns.map((column) => ({ name: column.name, type: column.type }));
const replaced = (columns: ColumnSpec[], name: string, by: Partial<ColumnSpec>) =>
    columns.map((column) => (column.name === name ? { ...column, ...by } : column));
const renamed = () => replaced(history(), "USER_NAME", { name: "USER_LOGIN" });
const dropped = () => history().filter((column) => column.name !== "USER_NAME");
const retyped = () => replaced(history(), "SPAN_DURATION_MS", { type: "FLOAT" });
const insertedMidList = () => {
    const columns = history();
    const at = columns.findIndex((column) => column.name === "USER_NAME");
    return [...columns.slice(0, at), { name: "USER_EMAIL", type: "VARCHAR(16777216)" }, ...columns.slice(at)];
};
const appended = () => [...history(), { name: "USER_EMAIL", type: "VARCHAR(16777216)" }];

describe("history tables: which tables, and their deployed columns", () => {
    it("declares every Wallmonitor table as holding history, in one place", () => {
        expect(Object.keys(HISTORY_TABLES).sort()).to.deep.equal(TABLES.map((table) => table.name).sort());
    });

    it("records in policy/deployedColumns.json exactly the columns lib/tables.ts declares (append a new column there too)", () => {
        const deployed = deployedColumns();
        for (const [table, columns] of Object.entries(declaredColumns())) {
            const missing = columns.slice(deployed[table]?.length ?? 0).map((column) => `["${column.name}", "${column.type}"]`);
            expect(deployed[table], `${path.basename(DEPLOYED_COLUMNS_FILE)} ${table}: append ${missing.join(", ")}`).to.deep.equal(columns);
        }
        expect(Object.keys(deployed).sort()).to.deep.equal(Object.keys(declaredColumns()).sort());
    });
});

describe("column changes of a history table", () => {
    const kinds = (after: ColumnSpec[]) => columnChanges("AGENT_EVENTS_HISTORY", history(), after).map((change) => [change.change, change.column]);

    it("finds a rename, a drop, a type change and a column inserted mid-list", () => {
        expect(kinds(renamed())).to.deep.equal([["renamed", "USER_NAME"]]);
        expect(kinds(dropped())).to.deep.equal([["dropped", "USER_NAME"]]);
        expect(kinds(retyped())).to.deep.equal([["retyped", "SPAN_DURATION_MS"]]);
        expect(kinds(insertedMidList())).to.deep.equal([["inserted", "USER_EMAIL"]]);
    });

    it("finds a moved column, and nothing in an appended one or in a changed comment", () => {
        const columns = history();
        const swapped = [columns[1], columns[0], ...columns.slice(2)];
        expect(kinds(swapped)).to.deep.equal([["moved", "AGENT_DATABASE"], ["moved", "EVENT_KEY"]]);
        expect(kinds(appended())).to.deep.equal([]);
        expect(kinds(history().map((column) => ({ ...column, type: column.type.toLowerCase() })))).to.deep.equal([]);
    });
});

describe(`policy ${HISTORY_COLUMNS_RULE}`, () => {
    const subject = (columns: ColumnSpec[], name = "AGENT_EVENTS_HISTORY") => ({
        type: TABLE, name: `wallmonitor-storage-${name}`, protect: true,
        props: { database: "DB", schema: "S", name, columns: columns.map((column) => ({ ...column, nullable: true })) },
    });
    const violations = (columns: ColumnSpec[], allow?: Record<string, string[]>) =>
        runPolicies([subject(columns)], policyContext(["VIEWER"], { allowColumnChanges: allow }))
            .filter((violation) => violation.policy === HISTORY_COLUMNS_RULE).map((violation) => violation.message);

    it("fails a renamed, dropped, retyped or mid-list column, naming the config that would allow it", () => {
        expect(violations(renamed())).to.deep.equal(["table AGENT_EVENTS_HISTORY (events: parsed agent events, kept historyDays) " +
            "renames column USER_NAME to USER_LOGIN: the provider runs ALTER TABLE … DROP COLUMN, and its data is lost, and " +
            "USER_LOGIN is added empty. If this is intended, allow it with wallmonitor:allowColumnChanges: " +
            "'{\"AGENT_EVENTS_HISTORY\": [\"USER_NAME\"]}'"]);
        expect(violations(dropped())).to.have.length(1);
        expect(violations(retyped())[0]).to.include("changes the type of column SPAN_DURATION_MS from NUMBER(38,0) to FLOAT");
        const last = history()[history().length - 1].name;
        expect(violations(insertedMidList())[0]).to.include(`adds column USER_EMAIL before ${last}, not at the end`);
    });

    it("passes the deployed columns, an appended column, and a change allowed for that table and column only", () => {
        expect(violations(history())).to.deep.equal([]);
        expect(violations(appended())).to.deep.equal([]);
        expect(violations(renamed(), { AGENT_EVENTS_HISTORY: ["USER_NAME"] })).to.deep.equal([]);
        expect(violations(renamed(), { AGENT_EVENTS_HISTORY: ["USER_ID"] })).to.have.length(1);
        expect(violations(renamed(), { ALERT_HISTORY: ["USER_NAME"] })).to.have.length(1);
    });

    it("runs in the CrossGuard pack with the allowance from the policy config", () => {
        const validate = RESOURCE_POLICIES.find((policy) => policy.name === HISTORY_COLUMNS_RULE)!.validateResource as ResourceValidation;
        const run = (config: Record<string, unknown>) => {
            const messages: string[] = [];
            const { props, type, protect } = subject(dropped());
            validate({ type, name: "r", urn: `urn:pulumi:dev::wallmonitor::${type}::r`, props,
                opts: { protect, ignoreChanges: [], aliases: [], additionalSecretOutputs: [] },
                getConfig: <T>() => config as T, stackTags: new Map() } as unknown as ResourceValidationArgs,
            (message: string) => { messages.push(message); });
            return messages;
        };
        expect(run({})).to.have.length(1);
        expect(run({ allowColumnChanges: { AGENT_EVENTS_HISTORY: ["USER_NAME"] } })).to.deep.equal([]);
    });

    it("keeps each stack's policy config equal to its wallmonitor:allowColumnChanges", () => {
        for (const file of fs.readdirSync(PROJECT_ROOT).filter((name) => /^Pulumi\.(.+)\.yaml$/.test(name))) {
            const stack = /^Pulumi\.(.+)\.yaml$/.exec(file)![1];
            const raw = readStackConfig(stack)["wallmonitor:allowColumnChanges"];
            const config = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "policy", `config.${stack}.json`), "utf8")) as
                Record<string, { allowColumnChanges?: unknown }>;
            expect(config[HISTORY_COLUMNS_RULE]?.allowColumnChanges, stack).to.deep.equal(raw === undefined ? undefined : JSON.parse(raw));
        }
    });
});

describe("wallmonitor:allowColumnChanges", () => {
    const parse = (value: string) => parseConfig({ get: (key) => (key === "allowColumnChanges" ? value : undefined) });
    const failure = (value: string) => {
        try {
            parse(value);
        } catch (error) {
            expect(error).to.be.instanceOf(ConfigError);
            return (error as Error).message;
        }
        throw new Error(`${value} was accepted`);
    };

    it("accepts columns per table, and nothing by default", () => {
        expect(parse('{"AGENT_EVENTS_HISTORY": ["USER_NAME", "USER_ID"]}').allowColumnChanges)
            .to.deep.equal({ AGENT_EVENTS_HISTORY: ["USER_NAME", "USER_ID"] });
        expect(parseConfig({ get: () => undefined }).allowColumnChanges).to.equal(undefined);
    });

    it("refuses anything else with an error naming the key", () => {
        for (const [value, reason] of [
            ["[\"USER_NAME\"]", /must be a JSON object from table to columns/],
            ["{not json", /is not valid JSON/],
            ['{"EVENTS": ["USER_NAME"]}', /names table "EVENTS", which is not a Wallmonitor table; the tables are AGENT_REGISTRY/],
            ['{"AGENT_EVENTS_HISTORY": []}', /is not a non-empty list of UPPERCASE column names/],
            ['{"AGENT_EVENTS_HISTORY": ["user_name"]}', /is not a non-empty list of UPPERCASE column names/],
            ['{"AGENT_EVENTS_HISTORY": ["USER_NAME", "USER_NAME"]}', /lists a column twice/],
        ] as const) {
            const message = failure(value);
            expect(message, value).to.match(/^Invalid config wallmonitor:allowColumnChanges: /);
            expect(message, value).to.match(reason);
        }
    });
});

describe("the plan diff of a history table's columns", () => {
    function tableObject(columns: ColumnSpec[]): PlanObject {
        return { key: `${TABLE}::wallmonitor-storage-AGENT_EVENTS_HISTORY`, type: TABLE, kind: "Table",
            name: "DB.S.AGENT_EVENTS_HISTORY", component: "storage (wallmonitor:storage:Storage)",
            inputs: { database: "DB", schema: "S", name: "AGENT_EVENTS_HISTORY", columns }, protect: true, retainOnDelete: false };
    }
    const model = (columns: ColumnSpec[], allowColumnChanges?: Record<string, string[]>): PlanModel => ({
        stack: "dev", retention: {}, viewerRoles: [], grants: [], sql: {}, violations: [], allowColumnChanges,
        objects: { [tableObject(columns).key]: tableObject(columns) },
    });

    for (const [what, after] of [["renamed", renamed], ["dropped", dropped], ["retyped", retyped], ["inserted mid-list", insertedMidList]] as const) {
        it(`reports a ${what} column as risky and fails the policy (exit 1), although the table is protected`, async () => {
            const diff = await diffPlans(model(history()), model(after()));
            expect(diff.risks).to.have.length(1);
            expect(diff.violations.map((violation) => violation.policy)).to.deep.equal([HISTORY_COLUMNS_RULE]);
            expect(exitCode(diff)).to.equal(1);
            const text = renderPlanDiff(diff, "a", "b");
            expect(text).to.include(`## Risky changes\n\n- ⚠️ table AGENT_EVENTS_HISTORY`);
            expect(text).not.to.include("None: no table holding data");
        });
    }

    it("still shows an allowed change as risky, and passes the policy", async () => {
        const diff = await diffPlans(model(history()), model(renamed(), { AGENT_EVENTS_HISTORY: ["USER_NAME"] }));
        expect(diff.risks).to.deep.equal([diff.risks[0]]);
        expect(diff.risks[0]).to.match(/renames column USER_NAME to USER_LOGIN.*; allowed by wallmonitor:allowColumnChanges$/);
        expect(diff.violations).to.deep.equal([]);
        expect(exitCode(diff)).to.equal(2);
    });

    it("finds nothing risky in an appended column", async () => {
        const diff = await diffPlans(model(history()), model(appended()));
        expect(diff.risks).to.deep.equal([]);
        expect(diff.violations).to.deep.equal([]);
    });
});

describe("plan --against a revision with a renamed column of AGENT_EVENTS_HISTORY", () => {
    let revision: Revision | undefined;
    let copy: string | undefined;
    before(function () {
        try {
            execFileSync("git", ["rev-parse", "HEAD"], { cwd: PROJECT_ROOT, stdio: "ignore" });
        } catch {
            // Reported as pending: there is no other revision to build.
            this.skip();
        }
        revision = extractRevision("HEAD");
        copy = fs.mkdtempSync(path.join(os.tmpdir(), "wallmonitor-copy-"));
        execFileSync("cp", ["-a", `${revision.root}/.`, copy]);
        const tables = path.join(copy, "sql", "tables", "models.yml");
        const source = fs.readFileSync(tables, "utf8");
        const renamedSource = source.replace("{ name: USER_NAME, type: \"VARCHAR(16777216)\", classification: user_identity }\n      - { name: MODEL_NAME",
            "{ name: USER_LOGIN, type: \"VARCHAR(16777216)\", classification: user_identity }\n      - { name: MODEL_NAME");
        expect(renamedSource).not.to.equal(source);
        fs.writeFileSync(tables, renamedSource);
    });
    after(() => {
        revision?.dispose();
        if (copy !== undefined) {
            fs.rmSync(copy, { recursive: true, force: true });
        }
    });

    it("is a risky change and a policy violation, on the diff and on the build alone", async () => {
        const before = planModel(await buildOffline("dev", {}, [], revision!.root), revision!.root);
        const build = await buildOffline("dev", {}, [], copy!);
        const diff = await diffPlans(before, planModel(build, copy!));
        expect(diff.risks.filter((risk) => risk.includes("renames column USER_NAME to USER_LOGIN"))).to.have.length(1);
        expect(renderPlanDiff(diff, "a", "b")).not.to.include("Risky changes\n\nNone");
        expect(exitCode(diff)).to.equal(1);
        // Without --against, the build is compared with policy/deployedColumns.json.
        expect(checkBuild(build).map((violation) => violation.policy)).to.deep.equal([HISTORY_COLUMNS_RULE]);

        const allowed = await buildOffline("dev", { "wallmonitor:allowColumnChanges": '{"AGENT_EVENTS_HISTORY": ["USER_NAME"]}' }, [], copy!);
        expect(checkBuild(allowed)).to.deep.equal([]);
        const allowedDiff = await diffPlans(before, planModel(allowed, copy!));
        expect(allowedDiff.violations).to.deep.equal([]);
        expect(allowedDiff.risks.some((risk) => risk.endsWith("allowed by wallmonitor:allowColumnChanges"))).to.equal(true);
    });
});
