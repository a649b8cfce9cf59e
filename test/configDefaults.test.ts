import { expect } from "chai";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";

import { ConfigSchema, loadConfigSchema, PROJECT_CONFIG_SCHEMA, withSchemaDefaults } from "../lib/config/defaults";
import { ConfigError, DEFAULTS, parseConfig } from "../lib/config/stack";
import { PROJECT_ROOT } from "../plan/offline";

/** Issue 18, step 5: every default comes from Pulumi.yaml's config schema and is parsed like a set value. */

const nothingSet = { get: () => undefined };

/** The project's Pulumi.yaml with `change` applied to its config block, loaded from a temporary project root. */
function schemaWith(change: (config: Record<string, Record<string, unknown>>) => void): ConfigSchema {
    const project = yaml.load(fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), "utf8")) as
        { config: Record<string, Record<string, unknown>> };
    change(project.config);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "wallmonitor-schema-"));
    try {
        fs.writeFileSync(path.join(root, "Pulumi.yaml"), yaml.dump(project));
        return loadConfigSchema(root);
    } finally {
        fs.rmSync(root, { recursive: true, force: true });
    }
}

describe("config defaults: derived from Pulumi.yaml (issue 18, step 5)", () => {
    it("reads the project's own Pulumi.yaml in production", () => {
        expect(PROJECT_CONFIG_SCHEMA).to.deep.equal(loadConfigSchema(PROJECT_ROOT));
        expect(parseConfig(nothingSet)).to.deep.equal(DEFAULTS);
    });

    it("changes the parsed defaults when Pulumi.yaml's defaults change, and nothing else", () => {
        const schema = schemaWith((config) => {
            config.historyDays.default = 45;
            config.ownerRole.default = "OTHER_OWNER";
            config.storeConversationText.default = true;
            config.costCreditPrice.default = "2.50";
            config.agentExcludePattern.default = "%TEST%";
        });
        const derived = parseConfig(nothingSet, schema);
        expect(derived).to.deep.equal({
            ...DEFAULTS, historyDays: 45, ownerRole: "OTHER_OWNER", storeConversationText: true, costCreditPrice: "2.50",
            agentExcludePattern: "%TEST%",
        });
        expect(parseConfig({ get: (key) => (key === "historyDays" ? "7" : undefined) }, schema).historyDays).to.equal(7);
    });

    it("parses a default exactly like a value the stack sets: a bad default fails naming its key", () => {
        const schema = schemaWith((config) => {
            config.historyDays.default = 365;
        });
        expect(() => parseConfig(nothingSet, schema)).to.throw(ConfigError, /wallmonitor:historyDays: "365" is not a whole number from 1 to 90/);
        const lowerCase = schemaWith((config) => {
            config.warehouseSize.default = "x-small";
        });
        expect(parseConfig(nothingSet, lowerCase).warehouseSize).to.equal("XSMALL");
    });

    it("treats a default of \"\" as an optional key, and refuses \"\" only where Pulumi.yaml has a default", () => {
        const schema = schemaWith((config) => {
            config.agentIncludePattern.default = "";
            config.gitCommit.default = "0123456789abcdef0123456789abcdef01234567";
        });
        const source = withSchemaDefaults({ get: (key) => ({ gitCommit: "", agentIncludePattern: "" } as Record<string, string>)[key] }, schema);
        expect(source.get("agentIncludePattern")).to.equal("");
        expect(() => source.get("gitCommit")).to.throw(ConfigError, /wallmonitor:gitCommit: is set to an empty string/);
        expect(() => parseConfig(nothingSet, schema)).to.throw(Error,
            /wallmonitor:agentIncludePattern has no default in Pulumi.yaml's config schema.*declare its default there/);
    });

    it("refuses a schema whose default does not fit its type, naming the key", () => {
        expect(() => schemaWith((config) => {
            config.historyDays.default = "thirty";
        })).to.throw(/config historyDays declares the default "thirty", which is not of type integer/);
        expect(() => schemaWith((config) => {
            delete config.comment.default;
        })).to.throw(/config comment declares the default undefined/);
    });
});
