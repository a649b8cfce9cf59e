import { expect } from "chai";

import { PROJECT_CONFIG_SCHEMA } from "../lib/config/defaults";
import { checkGitToken, ConfigError, DEFAULTS, parseConfig, WallmonitorConfig } from "../lib/config/stack";
import { buildOffline } from "../plan/offline";

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
        expect(DEFAULTS.rollupRetentionDays).to.equal(400);
        expect(DEFAULTS.storeConversationText).to.equal(false);
    });

    it("declares every key in Pulumi.yaml, each with a description", () => {
        expect(Object.keys(PROJECT_CONFIG_SCHEMA).sort()).to.deep.equal(Object.keys(DEFAULTS).sort());
        for (const [key, entry] of Object.entries(PROJECT_CONFIG_SCHEMA)) {
            expect(entry.description, key).to.be.a("string").and.not.equal("");
        }
    });

    it("keeps a configured zero instead of replacing it with the default", () => {
        expect(parse({ ingestOverlapMinutes: "0" }).ingestOverlapMinutes).to.equal(0);
    });

    it("accepts the ingest paths in any case, event_table by default", () => {
        expect(DEFAULTS.ingestPath).to.equal("event_table");
        expect(parse({ ingestPath: "EVENT_TABLE" }).ingestPath).to.equal("event_table");
        expect(parse({ ingestPath: "per_agent", agentLocations: "SALES_DB" }).ingestPath).to.equal("per_agent");
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
        ["rollups kept under 30 days", { rollupRetentionDays: "29" }, /wallmonitor:rollupRetentionDays: "29" is not a whole number from 30 to 3650/],
        ["rollups kept beyond ten years", { rollupRetentionDays: "3651" }, /wallmonitor:rollupRetentionDays: .*from 30 to 3650/],
        ["a fractional rollup retention", { rollupRetentionDays: "400.5" }, /wallmonitor:rollupRetentionDays: /],
        ["a non-numeric rollup retention", { rollupRetentionDays: "a year" }, /wallmonitor:rollupRetentionDays: "a year" is not a whole number/],
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
        ["an unknown ingest path", { ingestPath: "eventtable" },
            /wallmonitor:ingestPath: "eventtable" is not one of the accepted values: auto, event_table, per_agent/],
        ["an ingest path spelled with a dash", { ingestPath: "per-agent" }, /wallmonitor:ingestPath: "per-agent" is not one of/],
        ["an ingest path naming a statement", { ingestPath: "auto'); DROP TABLE X; --" }, /wallmonitor:ingestPath: /],
        ["an unknown dashboard source", { dashboardSource: "s3" }, /wallmonitor:dashboardSource: "s3" is not one of the accepted values: folder, git/],
        ["a Git source without a repository", { dashboardSource: "git" },
            /wallmonitor:gitRepositoryUrl: is required when wallmonitor:dashboardSource is git: set it to the repository's https URL, or set dashboardSource to folder/],
        ["a repository over plain http", { gitRepositoryUrl: "http://github.com/acme/wallmonitor.git" },
            /wallmonitor:gitRepositoryUrl: "http:\/\/github.com\/acme\/wallmonitor.git" is not an https:\/\/ URL of a Git repository/],
        ["a repository URL carrying credentials", { gitRepositoryUrl: "https://bot:ghp_x@github.com/acme/wallmonitor.git" },
            /^(?!.*ghp_x).*wallmonitor:gitRepositoryUrl: contains credentials .*remove them, and set the token with `pulumi config set --secret wallmonitor:gitToken`/],
        ["a bare branch name as ref", { gitRef: "main" },
            /wallmonitor:gitRef: "main" is not branches\/<branch>, tags\/<tag> or commits\/<full 40-hex SHA> \(for example branches\/main/],
        ["a short commit in the ref", { gitRef: "commits/0123abc" }, /wallmonitor:gitRef: "commits\/0123abc" is not/],
        ["a ref with ..", { gitRef: "branches/../main" }, /wallmonitor:gitRef: /],
        ["a short commit SHA", { gitCommit: "0123abc" }, /wallmonitor:gitCommit: "0123abc" is not a full commit SHA \(40 lower-case hex digits/],
        ["a commit pinned on a tag", { gitRef: "tags/v1.2.0", gitCommit: "0123456789abcdef0123456789abcdef01234567" },
            /wallmonitor:gitCommit: pins a commit of a branch, but wallmonitor:gitRef is tags\/v1.2.0.*remove gitCommit, or set gitRef to the branch/],
        ["an app path leaving the repository", { gitAppPath: "../streamlit" }, /wallmonitor:gitAppPath: "..\/streamlit" is not a folder in the repository/],
        ["an allowed prefix that is not https", { gitAllowedPrefixes: "https://github.com/acme/, ftp://mirror/" },
            /wallmonitor:gitAllowedPrefixes: "ftp:\/\/mirror\/" is not a comma-separated list of https:\/\/ URL prefixes/],
        ["allowed prefixes that exclude the repository",
            { gitRepositoryUrl: "https://github.com/acme/wallmonitor.git", gitAllowedPrefixes: "https://gitlab.com/acme/" },
            /wallmonitor:gitAllowedPrefixes: none of https:\/\/gitlab.com\/acme\/ is a prefix of wallmonitor:gitRepositoryUrl .*add its owner's URL/],
        ["a Git user name with a quote", { gitUsername: "bot'--" }, /wallmonitor:gitUsername: /],
    ];
    for (const [description, values, message] of badInputs) {
        it(`rejects ${description}, naming the key and the fix`, () => {
            expect(() => parse(values)).to.throw(ConfigError, message);
        });
    }

    it("needs no Git at all for a fresh stack: the dashboard comes from the streamlit/ folder", () => {
        expect(parse({})).to.include({ dashboardSource: "folder", gitRepositoryUrl: undefined, gitRef: "branches/main", gitAppPath: "streamlit" });
    });

    it("reads a Git source, allowing the repository owner's URL unless prefixes are configured", () => {
        const git = parse({ dashboardSource: "Git", gitRepositoryUrl: "https://github.com/acme/wallmonitor.git", gitRef: "tags/v1.2.0" });
        expect(git).to.include({ dashboardSource: "git", gitRef: "tags/v1.2.0" });
        expect(git.gitAllowedPrefixes).to.deep.equal(["https://github.com/acme/"]);
        const configured = parse({
            dashboardSource: "git", gitRepositoryUrl: "https://git.example.com/platform/wallmonitor.git",
            gitAllowedPrefixes: "https://git.example.com/platform/, https://git.example.com/mirrors/", gitRef: "branches/release/1.2",
            gitCommit: "0123456789abcdef0123456789abcdef01234567", gitAppPath: ".",
        });
        expect(configured.gitAllowedPrefixes).to.deep.equal(["https://git.example.com/platform/", "https://git.example.com/mirrors/"]);
        expect(configured).to.include({ gitRef: "branches/release/1.2", gitCommit: "0123456789abcdef0123456789abcdef01234567", gitAppPath: "." });
    });

    it("asks for the user name that goes with a Git token, and ignores a token the folder source does not use", () => {
        const git = parse({ dashboardSource: "git", gitRepositoryUrl: "https://github.com/acme/wallmonitor.git" });
        expect(() => checkGitToken(git, true)).to.throw(ConfigError,
            /wallmonitor:gitUsername: is required with wallmonitor:gitToken.*pulumi config set wallmonitor:gitUsername <name>/);
        expect(() => checkGitToken({ ...git, gitUsername: "acme-bot" }, true)).not.to.throw();
        expect(() => checkGitToken(git, false)).not.to.throw();
        expect(() => checkGitToken(parse({}), true)).not.to.throw();
    });

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
