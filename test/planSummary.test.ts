import { expect } from "chai";
import { spawnSync } from "child_process";

import { buildOffline, OfflineBuild, PROJECT_ROOT } from "../plan/offline";
import { renderPlan } from "../plan/plan";
import { diffPlans, PlanModel, PlanObject, renderPlanDiff } from "../plan/planDiff";

/**
 * What a reviewer reads first: the default plan is a summary (objects per component, with the
 * resources of Wallmonitor's own provider under the component that owns them; grants; risks;
 * policy), `--full` adds the SQL, and `--markdown` folds it.
 */
describe("the offline plan's summary", () => {
    let build: OfflineBuild;
    let summary: string;
    before(async () => {
        build = await buildOffline("dev");
        summary = renderPlan(build);
    });

    it("fits a reviewer's minute: no SQL body, a few hundred lines at most", () => {
        expect(summary.split("\n").length).to.be.below(300);
        expect(summary).not.to.include("```sql");
        expect(summary).not.to.include("## SQL");
    });

    it("lists every component its header counts, nested under the component that declared it", () => {
        const components = build.resources.filter((resource) => resource.type.startsWith("wallmonitor:"));
        const counted = /in (\d+) components/.exec(summary);
        expect(Number(counted?.[1])).to.equal(components.length);
        for (const component of components) {
            expect(summary).to.match(new RegExp(`^#{3,6} ${component.name} \\(${component.type}\\): \\d+ object\\(s\\)$`, "m"));
        }
        expect(summary).to.match(/^#### wallmonitor-dev-storage /m);
    });

    it("shows the dashboard app and the AI-observability access under their components, not at the end", () => {
        const app = summary.indexOf("- StreamlitFromFolder STAGE WALLMONITOR_DEV.WALLMONITOR.WALLMONITOR_STREAMLIT_STAGE, STREAMLIT WALLMONITOR_DEV.WALLMONITOR.WALLMONITOR_DASHBOARD (Wallmonitor's provider)");
        const appComponent = summary.indexOf("#### wallmonitor-dev-dashboard-app ");
        expect(app).to.be.greaterThan(appComponent);
        expect(appComponent).to.be.greaterThan(-1);
        expect(summary).to.match(/#### wallmonitor-dev-observability [^\n]*\n\n- AiObservabilityAccess /);
        expect(summary).to.include("- Procedure WALLMONITOR_DEV.WALLMONITOR.REFRESH_AGENT_EVENTS (Wallmonitor's provider)");
    });

    it("names the risks: guarded tables, who reads raw events and who inherits that, text storage, admin-created objects", () => {
        const risks = summary.slice(summary.indexOf("## Risks"), summary.indexOf("## Policy"));
        expect(risks).to.match(/\d+ tables hold data; all are protected/);
        expect(risks).to.match(/WALLMONITOR_DEV_OWNER reads every agent's raw events \([^)]*AI_OBSERVABILITY_READER/);
        expect(risks).to.include("conversation text is not stored");
        expect(risks).to.match(/created as ACCOUNTADMIN: [^\n]*AccountRole/);
    });

    it("with full, adds every SQL body; with markdown, folds each into <details>", () => {
        const full = renderPlan(build, { full: true });
        const folded = renderPlan(build, { full: true, markdown: true });
        expect(full).to.include("### View WALLMONITOR_DEV.WALLMONITOR.THREAD_ACTIVITY\n\n```sql");
        expect(folded).to.include("<details><summary>View WALLMONITOR_DEV.WALLMONITOR.THREAD_ACTIVITY</summary>\n\n```sql");
        expect((folded.match(/<details>/g) ?? []).length).to.equal((folded.match(/<\/details>/g) ?? []).length);
        expect((full.match(/```sql/g) ?? []).length).to.equal((folded.match(/```sql/g) ?? []).length);
    });
});

describe("plan --help", () => {
    it("explains every flag and mode, with examples and exit codes", () => {
        const run = spawnSync("npx", ["ts-node", "--transpile-only", "scripts/plan.ts", "--help"], { cwd: PROJECT_ROOT, encoding: "utf8" });
        expect(run.status).to.equal(0);
        for (const flag of ["--stack", "--full", "--markdown", "--against", "--json", "--help", "Examples", "Exit status"]) {
            expect(run.stdout, flag).to.include(flag);
        }
    });

    it("refuses --markdown without --full, saying why", () => {
        const run = spawnSync("npx", ["ts-node", "--transpile-only", "scripts/plan.ts", "--markdown"], { cwd: PROJECT_ROOT, encoding: "utf8" });
        expect(run.status).to.equal(1);
        expect(run.stderr).to.include("--markdown folds the SQL bodies that --full adds");
    });
});

describe("the plan diff of a changed dashboard", () => {
    const APP = "pulumi-nodejs:dynamic/wallmonitor:StreamlitFromFolder";
    const app = (files: Record<string, string>): PlanObject => ({
        key: `${APP}::app`, type: APP, kind: "StreamlitFromFolder", name: "DB.S.WALLMONITOR_DASHBOARD",
        component: "app (wallmonitor:app:DashboardApp)", inputs: { name: "WALLMONITOR_DASHBOARD", files }, protect: false, retainOnDelete: false,
    });
    const model = (object: PlanObject): PlanModel => ({
        stack: "dev", retention: {}, viewerRoles: [], grants: [], sql: {}, violations: [], objects: { [object.key]: object },
    });

    it("names the files that changed, were added and were removed", async () => {
        const before = app({ "streamlit_app.py": "a".repeat(64), "pages/1_Threads.py": "b".repeat(64), "old.py": "c".repeat(64) });
        const after = app({ "streamlit_app.py": "a".repeat(64), "pages/1_Threads.py": "d".repeat(64), "new.py": "e".repeat(64) });
        const diff = await diffPlans(model(before), model(after), async () => []);
        expect(diff.objects[0].files).to.deep.equal({ added: ["new.py"], removed: ["old.py"], changed: ["pages/1_Threads.py"] });
        expect(renderPlanDiff(diff, "a", "b")).to.include("files (changed: pages/1_Threads.py; added: new.py; removed: old.py)");
    });
});
