import { expect } from "chai";
import { execFileSync } from "child_process";

import { alertingProcedureDefinition, buildAlertSql } from "../lib/sql/alertCatalog";
import { DEFAULTS, WallmonitorConfig } from "../lib/config/stack";
import { configErrorOf, parseValues } from "./helpers/config";
import { buildOffline } from "../plan/offline";

/** Issue 15, items 7 and 11: no `$` where a $$-quoted body can break, no empty value that silently becomes the default. */



const keysWithDefault = (Object.keys(DEFAULTS) as (keyof WallmonitorConfig)[]).filter((key) => DEFAULTS[key] !== undefined);
const optionalKeys = (Object.keys(DEFAULTS) as (keyof WallmonitorConfig)[]).filter((key) => DEFAULTS[key] === undefined);

describe("config: empty values (issue 15, item 11)", () => {
    it("refuses ownerRole set to an empty string instead of deploying SFE_WALLMONITOR_OWNER", () => {
        const error = configErrorOf({ ownerRole: "" });
        expect(error.message).to.match(/^Invalid config wallmonitor:ownerRole: is set to an empty string\. Set a value, or remove the key/);
        expect(error.message).to.include("`pulumi config rm wallmonitor:ownerRole`");
        expect(error.message).to.include('"SFE_WALLMONITOR_OWNER"');
    });

    for (const key of keysWithDefault) {
        it(`refuses ${key} set to an empty string, naming the key`, () => {
            const error = configErrorOf({ [key]: "" });
            expect(error.key).to.equal(key);
            expect(error.message).to.include(`wallmonitor:${key}: is set to an empty string`);
        });
    }

    it("reads the optional keys' empty Pulumi.yaml default as not set", () => {
        expect(optionalKeys.length).to.be.greaterThan(5);
        const config = parseValues(Object.fromEntries(optionalKeys.map((key) => [key, ""])));
        for (const key of optionalKeys) {
            expect(config[key], key).to.equal(DEFAULTS[key]);
        }
    });

    it("fails the offline preview before any resource is declared", async () => {
        let error: unknown;
        await buildOffline("dev", { "wallmonitor:schema": "" }).catch((caught) => (error = caught));
        expect((error as Error).message).to.match(/wallmonitor:schema: is set to an empty string/);
    });
});

describe("config: `$` in names that land in procedure bodies (issue 15, item 7)", () => {
    for (const key of ["database", "schema", "ownerRole", "viewerRole", "parentRole", "adminRole", "warehouse",
        "orgShareName", "orgDatabasePrefix"] as const) {
        it(`refuses $ in ${key}, naming the key and the fix`, () => {
            const error = configErrorOf({ [key]: "WM$$X" });
            expect(error.key).to.equal(key);
            expect(error.message).to.match(/contains \$, .*\$\$-quoted procedure bodies.*Use letters A-Z, digits and _/);
        });
    }

    it("refuses $ in an alert webhook's integration name", () => {
        const error = configErrorOf({
            alertingEnabled: "true",
            alertWebhooks: JSON.stringify([{ name: "ALERTS$$SLACK", kind: "slack", secretKey: "alertSlackWebhookUrl" }]),
        });
        expect(error.key).to.equal("alertWebhooks");
        expect(error.message).to.match(/entry 0: name "ALERTS\$\$SLACK" contains \$.*\$\$-quoted body of EVALUATE_ALERTS.*WALLMONITOR_ALERTS_SLACK/);
    });

    it("keeps the body of EVALUATE_ALERTS free of $$ even for an agent key holding $$, and reads it back intact", () => {
        const agent = "SALES$$DB.AGENTS.BOT$$1";
        const sql = buildAlertSql(parseValues({
            alertingEnabled: "true",
            alertRules: JSON.stringify({ agents: { [agent]: { error_rate: { warning: 0.1 } } } }),
        }));
        const body = alertingProcedureDefinition(sql);
        expect(body).not.to.include("$$");
        // The settings line, run by Python as Snowflake would, gives back the key with its $.
        const settingsLine = body.split("\n").find((line) => line.startsWith("SETTINGS.update("))!;
        const statementsLine = body.split("\n").find((line) => line.startsWith("STATEMENTS.update("))!;
        const program = `import json as _json\nSETTINGS = {}\nSTATEMENTS = {}\n${settingsLine}\n${statementsLine}\n` +
            "print(_json.dumps([sorted(SETTINGS['rules']['agents']), STATEMENTS['send_notification']]))";
        const [agents, send] = JSON.parse(execFileSync("python3", ["-c", program], { encoding: "utf8" })) as [string[], string];
        expect(agents).to.deep.equal([agent]);
        expect(send).to.equal(sql.statements.send_notification.text);
        expect(send).to.include("SYSTEM$SEND_SNOWFLAKE_NOTIFICATION");
    });
});
