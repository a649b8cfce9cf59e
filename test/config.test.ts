import { expect } from "chai";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";

import { ConfigError, DEFAULTS, parseConfig, WallmonitorConfig } from "../lib/config";
import { buildOffline, PROJECT_ROOT } from "../lib/offline";

function parse(values: Record<string, string>): WallmonitorConfig {
    return parseConfig({ get: (key) => values[key] });
}

describe("config", () => {
    it("applies the reference's defaults when nothing is set", () => {
        expect(parse({})).to.deep.equal(DEFAULTS);
        expect(DEFAULTS.ownerRole).to.equal("SFE_WALLMONITOR_OWNER");
        expect(DEFAULTS.viewerRole).to.equal("SFE_WALLMONITOR_VIEWER");
        expect(DEFAULTS.refreshIntervalMinutes).to.equal(10);
        expect(DEFAULTS.historyDays).to.equal(30);
        expect(DEFAULTS.storeConversationText).to.equal(false);
    });

    it("declares every key in Pulumi.yaml with the same default", () => {
        const project = yaml.load(fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), "utf8")) as
            { config: Record<string, { type: string; default: unknown; description: string }> };
        expect(Object.keys(project.config).sort()).to.deep.equal(Object.keys(DEFAULTS).sort());
        for (const [key, schema] of Object.entries(project.config)) {
            expect(schema.description, key).to.be.a("string").and.not.equal("");
            const expected = DEFAULTS[key as keyof WallmonitorConfig] ?? "";
            expect(schema.default, key).to.equal(expected);
        }
    });

    it("keeps a configured zero instead of replacing it with the default", () => {
        expect(parse({ ingestOverlapMinutes: "0" }).ingestOverlapMinutes).to.equal(0);
    });

    it("accepts warehouse sizes in Snowflake's spellings", () => {
        expect(parse({ warehouseSize: "x-small" }).warehouseSize).to.equal("XSMALL");
        expect(parse({ taskSize: "Medium" }).taskSize).to.equal("MEDIUM");
    });

    const badInputs: [string, Record<string, string>, RegExp][] = [
        ["an identifier with a quote", { database: 'ANALYTICS"; DROP DATABASE X' }, /wallmonitor:database: .*UPPERCASE Snowflake identifier/],
        ["an identifier with a semicolon", { schema: "WALLMONITOR;DROP" }, /wallmonitor:schema: /],
        ["a lower-case identifier", { ownerRole: "wallmonitor_owner" }, /wallmonitor:ownerRole: .*UPPERCASE/],
        ["an identifier starting with a digit", { warehouse: "1WH" }, /wallmonitor:warehouse: /],
        ["history beyond 90 days", { historyDays: "365" }, /wallmonitor:historyDays: "365" is not a whole number from 1 to 90/],
        ["history of zero days", { historyDays: "0" }, /wallmonitor:historyDays: .*from 1 to 90/],
        ["a fractional interval", { refreshIntervalMinutes: "2.5" }, /wallmonitor:refreshIntervalMinutes: .*whole number from 1 to 1440/],
        ["a non-numeric lag", { dynamicTableTargetLagMinutes: "soon" }, /wallmonitor:dynamicTableTargetLagMinutes: /],
        ["an unknown warehouse size", { warehouseSize: "HUGE" }, /wallmonitor:warehouseSize: "HUGE" is not one of the accepted values: XSMALL, SMALL/],
        ["an unknown task size", { taskSize: "TINY" }, /wallmonitor:taskSize: .*accepted values/],
        ["a boolean spelled yes", { storeConversationText: "yes" }, /wallmonitor:storeConversationText: "yes" is not a boolean. Accepted values: true, false/],
        ["a pattern with a quote", { agentIncludePattern: "%' OR 1=1 --" }, /wallmonitor:agentIncludePattern: .*not an agent pattern/],
        ["a pattern with a space", { agentExcludePattern: "SALES DB.%" }, /wallmonitor:agentExcludePattern: /],
        ["a comment with a quote", { comment: "it's ours" }, /wallmonitor:comment: /],
        ["the same owner and viewer role", { ownerRole: "WM", viewerRole: "WM" }, /wallmonitor:viewerRole: must differ from ownerRole/],
        ["a parent role equal to the owner", { parentRole: "SFE_WALLMONITOR_OWNER" }, /wallmonitor:parentRole: must differ from ownerRole/],
        ["a lookback longer than the history", { historyDays: "2", initialLookbackHours: "72" },
            /wallmonitor:initialLookbackHours: 72 h reaches past the history kept .*lower initialLookbackHours or raise historyDays/],
        ["an auto-suspend below Snowflake's minimum", { warehouseAutoSuspendSeconds: "5" }, /wallmonitor:warehouseAutoSuspendSeconds: /],
    ];
    for (const [description, values, message] of badInputs) {
        it(`rejects ${description}, naming the key and the fix`, () => {
            expect(() => parse(values)).to.throw(ConfigError, message);
        });
    }

    it("fails the preview before any resource is declared", async () => {
        let error: unknown;
        try {
            await buildOffline("dev", { "wallmonitor:historyDays": "120" });
        } catch (caught) {
            error = caught;
        }
        expect(error).to.be.instanceOf(Error);
        expect((error as Error).message).to.match(/wallmonitor:historyDays: "120" is not a whole number from 1 to 90/);
    });
});
