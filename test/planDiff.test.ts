import { expect } from "chai";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { buildOffline, PROJECT_ROOT } from "../plan/offline";
import {
    diffPlans, emptyPlanModel, exitCode, PlanModel, planModel, PlanObject, renderPlanDiff, unifiedDiff,
} from "../plan/planDiff";
import { extractRevision, Revision } from "../plan/revision";

const TABLE = "snowflake:index/table:Table";
const VIEW = "snowflake:index/view:View";

function object(type: string, name: string, inputs: Record<string, unknown>, protect = false): PlanObject {
    return { key: `${type}::${name}`, type, kind: type.split(":").pop()!, name: `DB.S.${String(inputs.name ?? name)}`,
        component: "c (wallmonitor:storage:Storage)", inputs, protect, retainOnDelete: false };
}

function model(objects: PlanObject[], extra: Partial<PlanModel> = {}): PlanModel {
    return { stack: "dev", retention: { historyDays: "7" }, viewerRoles: ["VIEWER"], grants: [], sql: {}, violations: [],
        objects: Object.fromEntries(objects.map((item) => [item.key, item])), ...extra };
}

const noDynamic = async () => undefined;

describe("a stack new on a branch", () => {
    it("is compared with nothing: every object, grant and SQL text is added", async () => {
        const after = planModel(await buildOffline("dev"), PROJECT_ROOT);
        const diff = await diffPlans(emptyPlanModel("dev"), after);
        expect(diff.objects.map((change) => change.change)).to.deep.equal(Object.keys(after.objects).map(() => "added"));
        expect(diff.objects.length).to.be.greaterThan(50);
        expect(diff.grantsGained).to.deep.equal(after.grants);
        expect(diff.sql.map((change) => change.label)).to.deep.equal(Object.keys(after.sql));
        expect(diff.sql.every((change) => change.diff.startsWith("--- /dev/null\n"))).to.equal(true);
        expect(diff.risks.filter((risk) => risk.startsWith("widens the viewer role: WALLMONITOR_DEV_VIEWER gains ")))
            .to.have.length(after.grants.filter((grant) => grant.role === "WALLMONITOR_DEV_VIEWER").length);
        expect(exitCode(diff)).to.equal(2);
    });
});

describe("unifiedDiff", () => {
    /** GNU diff's unified output for the same texts: an independent oracle for the hunks. */
    function gnuDiff(before: string, after: string): string {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wallmonitor-diff-"));
        try {
            fs.writeFileSync(path.join(dir, "a"), `${before}\n`);
            fs.writeFileSync(path.join(dir, "b"), `${after}\n`);
            const result = spawnSync("diff", ["-U3", "a", "b"], { cwd: dir, encoding: "utf8" });
            if (result.error !== undefined) {
                throw new Error(`GNU diff is needed for this test: ${result.error.message}`);
            }
            return result.stdout.split("\n").slice(2).join("\n").trimEnd();
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    }
    const lines = (count: number, prefix = "line") => Array.from({ length: count }, (_, index) => `${prefix} ${index + 1}`);

    it("produces the hunks GNU diff produces", () => {
        const base = lines(40);
        const cases: [string[], string[]][] = [
            [base, base.map((line, index) => (index === 20 ? "changed" : line))],
            [base, [...base.slice(0, 2), "inserted", ...base.slice(2, 30), ...base.slice(31)]],
            [base, base.map((line, index) => (index === 5 || index === 9 ? `${line}!` : line))],
            [base, ["new first", ...base, "new last"]],
            [lines(3), lines(5, "other")],
            [["only"], ["changed"]],
            [lines(2), [...lines(2), "appended"]],
        ];
        for (const [before, after] of cases) {
            const ours = unifiedDiff(before.join("\n"), after.join("\n"), "x").split("\n").slice(2).join("\n");
            expect(ours).to.equal(gnuDiff(before.join("\n"), after.join("\n")));
        }
    });

    it("marks an added or removed text against /dev/null", () => {
        expect(unifiedDiff(undefined, "SELECT 1", "v")).to.equal("--- /dev/null\n+++ b/v\n@@ -0,0 +1 @@\n+SELECT 1");
        expect(unifiedDiff("SELECT 1", undefined, "v")).to.equal("--- a/v\n+++ /dev/null\n@@ -1 +0,0 @@\n-SELECT 1");
    });
});

describe("diffPlans", () => {
    const history = object(TABLE, "history", { name: "AGENT_EVENTS_HISTORY", database: "DB", schema: "S", comment: "a" }, true);
    const view = object(VIEW, "metrics", { name: "AGENT_METRICS", database: "DB", schema: "S", statement: "SELECT 1" });

    it("finds nothing between identical plans, whatever their order", async () => {
        const before = model([history, view]);
        const after = model([view, history]);
        const diff = await diffPlans(before, after, noDynamic);
        expect(diff.changed).to.equal(false);
        expect(exitCode(diff)).to.equal(0);
        expect(renderPlanDiff(diff, "a", "b")).to.include("**No changes.**");
    });

    it("classifies added, removed, replaced and changed objects, replacing inputs first", async () => {
        const moved = object(TABLE, "history", { ...history.inputs, schema: "OTHER", comment: "b" }, true);
        const edited = object(VIEW, "metrics", { ...view.inputs, statement: "SELECT 2" });
        const added = object(VIEW, "added", { name: "NEW_VIEW", statement: "SELECT 3" });
        const removed = object(VIEW, "gone", { name: "OLD_VIEW", statement: "SELECT 4" });
        const diff = await diffPlans(model([history, view, removed]), model([moved, edited, added]), noDynamic);
        const byName = Object.fromEntries(diff.objects.map((change) => [change.name, change]));
        expect(byName["DB.S.AGENT_EVENTS_HISTORY"]).to.include({ change: "replaced" });
        expect(byName["DB.S.AGENT_EVENTS_HISTORY"].properties).to.deep.equal(["schema", "comment"]);
        expect(byName["DB.S.AGENT_METRICS"]).to.include({ change: "changed" });
        expect(byName["DB.S.NEW_VIEW"]).to.include({ change: "added" });
        expect(byName["DB.S.OLD_VIEW"]).to.include({ change: "removed" });
        expect(diff.risks).to.have.length(1);
        expect(diff.risks[0]).to.match(/^replaces .* Table DB\.S\.AGENT_EVENTS_HISTORY, which holds data; it is protected/);
        expect(exitCode(diff)).to.equal(2);
    });

    it("flags a dropped table, lost protection, a widened viewer and a retention change as risky, and lists grants per role", async () => {
        const unprotected = { ...history, protect: false };
        const grant = (role: string, on: string, privilege: string) => ({ role, on, privilege });
        const before = model([history, view], { grants: [grant("OWNER", "TABLE T", "INSERT")] });
        const after = model([view], { retention: { historyDays: "30" },
            grants: [grant("VIEWER", "VIEW AGENT_EVENTS", "SELECT"), grant("OTHER", "VIEW AGENT_METRICS", "SELECT")] });
        const diff = await diffPlans(before, after, noDynamic);
        expect(diff.risks).to.deep.equal([
            "drops Table DB.S.AGENT_EVENTS_HISTORY, which holds data; it is protected, so the update will fail until it is unprotected",
            "widens the viewer role: VIEWER gains SELECT on VIEW AGENT_EVENTS",
            "changes retention: historyDays 7 → 30",
        ]);
        expect(diff.grantsLost).to.deep.equal([grant("OWNER", "TABLE T", "INSERT")]);
        const text = renderPlanDiff(diff, "main", "branch");
        expect(text.indexOf("## Risky changes")).to.be.lessThan(text.indexOf("## Objects"));
        expect(text).to.include("### VIEWER\n\n- gained: SELECT on VIEW AGENT_EVENTS");
        expect(text).to.include("### OWNER\n\n- lost: INSERT on TABLE T");

        const lost = await diffPlans(model([history]), model([unprotected]), noDynamic);
        expect(lost.objects[0].properties).to.deep.equal(["protect"]);
        expect(lost.risks).to.deep.equal(["removes the deletion protection of Table DB.S.AGENT_EVENTS_HISTORY"]);
    });

    it("asks a dynamic resource's own provider what replaces", async () => {
        const dynamic = (owner: string): PlanObject => ({ ...object("pulumi-nodejs:dynamic/wallmonitor:Thing", "thing", { ownerRole: owner, note: "x" }),
            kind: "Thing" });
        const asked: string[][] = [];
        const diff = await diffPlans(model([dynamic("A")]), model([dynamic("B")]), async (_object, olds, news) => {
            asked.push([String(olds.ownerRole), String(news.ownerRole)]);
            return ["ownerRole"];
        });
        expect(asked).to.deep.equal([["A", "B"]]);
        expect(diff.objects[0]).to.include({ change: "replaced" });
    });

    it("renders SQL changes as unified diffs and is byte-for-byte deterministic", async () => {
        const before = model([view], { sql: { "View DB.S.AGENT_METRICS": "SELECT\n    1 AS A\nFROM T" } });
        const after = model([view], { sql: { "View DB.S.AGENT_METRICS": "SELECT\n    2 AS A\nFROM T" } });
        const first = renderPlanDiff(await diffPlans(before, after, noDynamic), "a", "b");
        expect(first).to.include("```diff\n--- a/View DB.S.AGENT_METRICS\n+++ b/View DB.S.AGENT_METRICS\n@@ -1,3 +1,3 @@\n SELECT\n-    1 AS A\n+    2 AS A\n FROM T\n```");
        expect(renderPlanDiff(await diffPlans(before, after, noDynamic), "a", "b")).to.equal(first);
    });
});

/** Whether this is a Git checkout (`plan --against` needs one; an exported tarball is not). */
const inGitCheckout = spawnSync("git", ["rev-parse", "--verify", "HEAD"], { cwd: PROJECT_ROOT }).status === 0;

describe("plan --against on real revisions", () => {
    let revision: Revision | undefined;
    before(function () {
        if (!inGitCheckout) {
            // Reported as pending, not passed: there is no other revision to build.
            this.skip();
        }
        revision = extractRevision("HEAD");
    });
    after(() => revision?.dispose());

    it("extracts a revision without touching the checkout and refuses an unknown ref", () => {
        expect(revision!.commit).to.match(/^[0-9a-f]{40}$/);
        expect(fs.existsSync(path.join(revision!.root, "index.ts"))).to.equal(true);
        expect(() => extractRevision("no-such-ref-anywhere")).to.throw(/not a commit/);
    });

    it("finds no change between two copies of a revision, and the changes made to one of them", async () => {
        const copy = fs.mkdtempSync(path.join(os.tmpdir(), "wallmonitor-copy-"));
        try {
            execFileSync("cp", ["-a", `${revision!.root}/.`, copy]);
            const before = planModel(await buildOffline("dev", {}, [], revision!.root), revision!.root);
            const same = await diffPlans(before, planModel(await buildOffline("dev", {}, [], copy), copy));
            expect(same.changed, JSON.stringify(same.objects)).to.equal(false);

            const stackFile = path.join(copy, "Pulumi.dev.yaml");
            fs.writeFileSync(stackFile, fs.readFileSync(stackFile, "utf8").replace(/wallmonitor:historyDays: "\d+"/, 'wallmonitor:historyDays: "60"'));
            const diff = await diffPlans(before, planModel(await buildOffline("dev", {}, [], copy), copy));
            expect(diff.risks.some((risk) => /^changes retention: historyDays \d+ → 60$/.test(risk))).to.equal(true);
            expect(diff.sql.map((change) => change.label)).to.include("Task WALLMONITOR_DEV.WALLMONITOR.REFRESH_AGENT_EVENTS_TASK");
            const text = renderPlanDiff(diff, "a", "b");
            expect(text).to.not.include(copy);
            expect(text).to.not.include(revision!.root);
            expect(exitCode(diff)).to.equal(2);
        } finally {
            fs.rmSync(copy, { recursive: true, force: true });
        }
    });

    it("runs from the command line with the documented exit status", () => {
        const result = spawnSync(process.execPath, [require.resolve("ts-node/dist/bin"), "--transpile-only", "scripts/plan.ts",
            "--stack", "dev", "--against", "HEAD"], { cwd: PROJECT_ROOT, encoding: "utf8" });
        expect(result.stdout).to.match(/^# Wallmonitor plan diff for stack `dev`\n\nFrom `HEAD` \([0-9a-f]{12}\) to this checkout/);
        expect([0, 2]).to.include(result.status);
        expect(result.stdout).to.include(result.status === 0 ? "**No changes.**" : "object(s) differ");
        // The whole plan model as JSON, piped: several hundred kB, none of it cut off at exit.
        const json = spawnSync(process.execPath, [require.resolve("ts-node/dist/bin"), "--transpile-only", "scripts/plan.ts", "dev", "--json"],
            { cwd: PROJECT_ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
        expect(json.status).to.equal(0);
        expect(json.stdout.length).to.be.greaterThan(128 * 1024);
        const parsed = JSON.parse(json.stdout) as PlanModel;
        expect(parsed.violations).to.deep.equal([]);
        expect(parsed.grants).to.deep.include({ role: "WALLMONITOR_DEV_VIEWER", on: "STREAMLIT WALLMONITOR_DASHBOARD", privilege: "USAGE" });
        expect(parsed.grants).to.deep.include({ role: "WALLMONITOR_DEV_OWNER", on: "APPLICATION ROLE SNOWFLAKE.AI_OBSERVABILITY_READER",
            privilege: "(role grant)" });
        const bad = spawnSync(process.execPath, [require.resolve("ts-node/dist/bin"), "--transpile-only", "scripts/plan.ts", "--against"],
            { cwd: PROJECT_ROOT, encoding: "utf8" });
        expect(bad.status).to.equal(1);
        expect(bad.stderr).to.include("--against needs a value");
    });
});
