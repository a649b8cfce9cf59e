import { expect } from "chai";

import { main, parseArgs, stackFiles, stackRoles, UsageError } from "../rollout/cli";
import { runRollout } from "../rollout/run";
import { planWaves, WavePlanError } from "../rollout/waves";
import { ChangeCounts, RolloutStack, RolloutWorkspace } from "../rollout/workspace";

/** A stack's scripted behaviour in the fake workspace. */
interface FakeStackScript {
    preview?: ChangeCounts | Error;
    up?: "succeeded" | "failed" | Error;
}

/** Records every call in order, as `preview X` / `up X`; no Pulumi CLI involved. */
class FakeWorkspace implements RolloutWorkspace {
    readonly calls: string[] = [];

    constructor(private readonly scripts: Record<string, FakeStackScript>) {}

    async selectStack(name: string): Promise<RolloutStack> {
        const script = this.scripts[name];
        if (script === undefined) {
            throw new Error(`no stack named '${name}' found`);
        }
        return {
            preview: async (onOutput) => {
                this.calls.push(`preview ${name}`);
                onOutput(`Previewing update (${name})\n`);
                if (script.preview instanceof Error) {
                    throw script.preview;
                }
                return { changeSummary: script.preview ?? { same: 10, create: 2 } };
            },
            up: async (onOutput) => {
                this.calls.push(`up ${name}`);
                onOutput(`Updating (${name})\n`);
                if (script.up instanceof Error) {
                    throw script.up;
                }
                return { summary: { result: script.up ?? "succeeded", resourceChanges: { create: 2, same: 10 } } };
            },
        };
    }
}

describe("rollout waves", () => {
    const stacks = [
        { name: "central", role: "central" as const },
        { name: "member-eu", role: "member" as const },
        { name: "dev", role: "standalone" as const },
        { name: "member-apps", role: "member" as const },
    ];

    it("puts members and standalone stacks first, central stacks last, by default", () => {
        expect(planWaves(stacks)).to.deep.equal([["member-eu", "dev", "member-apps"], ["central"]]);
        expect(planWaves([{ name: "dev", role: "standalone" }])).to.deep.equal([["dev"]]);
    });

    it("takes explicit waves, such as dev before prod", () => {
        expect(planWaves([{ name: "dev", role: "standalone" }, { name: "prod", role: "standalone" }], [["dev"], ["prod"]]))
            .to.deep.equal([["dev"], ["prod"]]);
    });

    it("refuses waves that read a share before it exists, miss a stack or name one twice", () => {
        expect(() => planWaves(stacks, [["central", "member-eu"], ["dev", "member-apps"]]))
            .to.throw(WavePlanError, /central stack central is in wave 1, not after member member-eu, member-apps/);
        expect(() => planWaves(stacks, [["member-eu", "dev"], ["central"]])).to.throw(WavePlanError, /in no wave: member-apps/);
        expect(() => planWaves(stacks, [["member-eu", "dev", "member-apps"], ["central", "dev"]]))
            .to.throw(WavePlanError, /dev is in more than one wave/);
        expect(() => planWaves(stacks, [["member-eu", "dev", "member-apps", "prod"], ["central"]]))
            .to.throw(WavePlanError, /not selected: prod/);
        expect(() => planWaves([])).to.throw(WavePlanError, /no stacks/);
    });
});

describe("the rollout on a fake workspace", () => {
    const waves = [["member-eu", "member-apps"], ["central"]];

    it("previews every stack before updating any, then updates wave by wave", async () => {
        const workspace = new FakeWorkspace({ "member-eu": {}, "member-apps": {}, central: {} });
        const lines: string[] = [];
        const report = await runRollout({ workspace, waves, log: (line) => lines.push(line) });
        expect(workspace.calls).to.deep.equal([
            "preview member-eu", "preview member-apps", "preview central", "up member-eu", "up member-apps", "up central",
        ]);
        expect(report.ok).to.equal(true);
        expect(report.stacks.map((outcome) => [outcome.stack, outcome.wave, outcome.update])).to.deep.equal([
            ["member-eu", 1, "applied"], ["member-apps", 1, "applied"], ["central", 2, "applied"],
        ]);
        expect(lines).to.include("preview 1/3: member-eu: 2 to create");
        expect(lines).to.include("wave 2/2: central");
        expect(lines.at(-1)).to.equal("rollout complete: 3 applied, 0 unchanged");
    });

    it("applies nothing on a dry run, and says so", async () => {
        const workspace = new FakeWorkspace({ "member-eu": {}, "member-apps": {}, central: {} });
        const lines: string[] = [];
        const report = await runRollout({ workspace, waves, dryRun: true, log: (line) => lines.push(line) });
        expect(workspace.calls).to.deep.equal(["preview member-eu", "preview member-apps", "preview central"]);
        expect(report.stacks.every((outcome) => outcome.preview === "previewed" && outcome.update === "not applied")).to.equal(true);
        expect(lines.at(-1)).to.equal("dry run complete: 3 stacks previewed, nothing applied");
    });

    it("stops at the first failed update and reports what was and was not applied", async () => {
        const workspace = new FakeWorkspace({
            "member-eu": {}, "member-apps": { up: new Error("error: SQL compilation error:\nShare 'WALLMONITOR_ORG_SHARE' does not exist") },
            central: {},
        });
        const lines: string[] = [];
        const report = await runRollout({ workspace, waves, log: (line) => lines.push(line) });
        expect(workspace.calls).to.deep.equal([
            "preview member-eu", "preview member-apps", "preview central", "up member-eu", "up member-apps",
        ]);
        expect(report.ok).to.equal(false);
        expect(report.stoppedAt).to.equal("update of member-apps");
        expect(report.stacks.map((outcome) => outcome.update)).to.deep.equal(["applied", "failed", "not applied"]);
        expect(report.stacks[1].error).to.match(/Share 'WALLMONITOR_ORG_SHARE' does not exist/);
        expect(lines.at(-1)).to.equal(
            "rollout STOPPED at the update of member-apps; applied: member-eu; not applied: central");
    });

    it("treats an update that does not succeed as a failure", async () => {
        const workspace = new FakeWorkspace({ "member-eu": { up: "failed" }, "member-apps": {}, central: {} });
        const report = await runRollout({ workspace, waves });
        expect(report.stoppedAt).to.equal("update of member-eu");
        expect(report.stacks[0].error).to.equal("update ended failed");
        expect(workspace.calls.filter((call) => call.startsWith("up"))).to.deep.equal(["up member-eu"]);
    });

    it("applies nothing at all when any preview fails", async () => {
        const workspace = new FakeWorkspace({ "member-eu": {}, "member-apps": {}, central: { preview: new Error("Invalid config") } });
        const report = await runRollout({ workspace, waves });
        expect(workspace.calls).to.deep.equal(["preview member-eu", "preview member-apps", "preview central"]);
        expect(report.stoppedAt).to.equal("preview of central");
        expect(report.stacks.map((outcome) => outcome.update)).to.deep.equal(["not applied", "not applied", "not applied"]);
    });

    it("skips the update of a stack whose preview changes nothing", async () => {
        const workspace = new FakeWorkspace({ "member-eu": { preview: { same: 40 } }, "member-apps": {}, central: {} });
        const report = await runRollout({ workspace, waves });
        expect(workspace.calls).to.not.include("up member-eu");
        expect(report.stacks[0].update).to.equal("unchanged");
        expect(report.ok).to.equal(true);
    });

    it("passes the engine's output on only when verbose", async () => {
        const quiet: string[] = [];
        await runRollout({ workspace: new FakeWorkspace({ dev: {} }), waves: [["dev"]], log: (line) => quiet.push(line) });
        expect(quiet.some((line) => line.startsWith("[dev]"))).to.equal(false);
        const verbose: string[] = [];
        await runRollout({ workspace: new FakeWorkspace({ dev: {} }), waves: [["dev"]], verbose: true, log: (line) => verbose.push(line) });
        expect(verbose).to.include("[dev] Updating (dev)");
    });
});

describe("the rollout command", () => {
    it("parses stacks, waves and the dry run, and refuses a call without stacks", () => {
        expect(parseArgs(["--dry-run", "member-eu", "central"])).to.deep.include({ stacks: ["member-eu", "central"], dryRun: true });
        expect(parseArgs(["--wave", "dev", "--wave", "prod"]).waves).to.deep.equal([["dev"], ["prod"]]);
        expect(() => parseArgs([])).to.throw(UsageError, /name the stacks/);
        expect(() => parseArgs(["--force", "dev"])).to.throw(UsageError, /unknown option --force/);
        expect(() => parseArgs(["--wave"])).to.throw(UsageError, /--wave needs/);
    });

    it("reads each stack's role from its stack file", () => {
        expect(stackFiles()).to.include.members(["central", "dev", "member-apps", "member-eu", "prod"]);
        expect(stackRoles(["dev", "member-eu", "central"]).map((stack) => stack.role)).to.deep.equal(["standalone", "member", "central"]);
    });

    it("rolls the three organisation stacks out with central last, and exits 0", async () => {
        const workspace = new FakeWorkspace({ "member-eu": {}, "member-apps": {}, central: {} });
        const lines: string[] = [];
        const code = await main(["central", "member-eu", "member-apps"], workspace, (line) => lines.push(line));
        expect(code).to.equal(0);
        expect(lines[0]).to.equal("rollout: wave 1 [member-eu, member-apps], then wave 2 [central]");
        expect(workspace.calls.slice(-1)).to.deep.equal(["up central"]);
    });

    it("exits 1 after a failure and 2 when it refuses to start", async () => {
        const failing = new FakeWorkspace({ "member-eu": { up: new Error("boom") }, central: {} });
        expect(await main(["member-eu", "central"], failing, () => undefined)).to.equal(1);
        const untouched = new FakeWorkspace({});
        const lines: string[] = [];
        expect(await main(["no-such-stack"], untouched, (line) => lines.push(line))).to.equal(2);
        expect(lines[0]).to.match(/rollout refused: No stack file Pulumi.no-such-stack.yaml/);
        expect(untouched.calls).to.deep.equal([]);
    });
});
