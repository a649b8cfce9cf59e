import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { ALERT_RULE_NAMES, parseAlertRules } from "../lib/config/alerts";
import { ConfigError, parseConfig } from "../lib/config/stack";
import { alertingProcedureDefinition, buildAlertSql, ruleStatementName } from "../lib/sql/alertCatalog";
import { ALERT_RULE_RECORDS, ALERT_RULES_ROOT, AlertRuleRecordError, loadAlertRules } from "../lib/sql/alertRules";
import { buildSqlCatalog } from "../lib/sql/catalog";

const THROWAWAY = path.join(__dirname, "fixtures", "alert_rules");
const parse = (values: Record<string, string>) => parseConfig({ get: (key) => values[key] });

const roots: string[] = [];
after(() => roots.forEach((root) => fs.rmSync(root, { recursive: true, force: true })));

/** A records root holding the deployed rules plus `extra` files (name -> text). */
function recordsRoot(extra: Record<string, string> = {}): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "wm-alert-rules-"));
    roots.push(root);
    for (const entry of fs.readdirSync(ALERT_RULES_ROOT)) {
        fs.copyFileSync(path.join(ALERT_RULES_ROOT, entry), path.join(root, entry));
    }
    for (const [name, text] of Object.entries(extra)) {
        fs.writeFileSync(path.join(root, name), text);
    }
    return root;
}

const fixture = (name: string) => fs.readFileSync(path.join(THROWAWAY, name), "utf8");
const withThrowaway = () => recordsRoot({
    "throwaway_turns.yml": fixture("throwaway_turns.yml"),
    "throwaway_turns.sql": fixture("throwaway_turns.sql"),
});

describe("alert rule records (sql/alerts/rules/)", () => {
    it("are the only list of rules: every record is deployed, with its SQL, defaults and label", () => {
        expect(ALERT_RULE_NAMES).to.deep.equal(ALERT_RULE_RECORDS.map((record) => record.name));
        const sql = buildAlertSql(parse({}));
        for (const record of ALERT_RULE_RECORDS) {
            expect(sql.statements[ruleStatementName(record.name)].files[0], record.name)
                .to.equal(`alerts/rules/${path.basename(record.sqlFile)}`);
            expect(sql.settings.ruleInfo[record.name]).to.deep.equal({ statement: ruleStatementName(record.name), format: record.format });
            expect(sql.views.ALERT_RULES.text).to.include(`('${record.name}', '${record.label}', `);
        }
        // Every rule SQL names its own rule in RULE_NAME, which the procedure keys state by.
        for (const record of ALERT_RULE_RECORDS) {
            expect(sql.statements[ruleStatementName(record.name)].text).to.match(new RegExp(`SELECT '${record.name}' AS RULE_NAME`));
        }
    });

    it("put each agent's overrides into ALERT_RULES beside the stack's rules", () => {
        const sql = buildAlertSql(parse({ alertRules: JSON.stringify({
            defaults: { error_rate: { warning: 0.1 } },
            agents: { "SALES_DB.AGENTS.SALES_BOT": { silent_agent: { enabled: false } } },
        }) }));
        const view = sql.views.ALERT_RULES.text;
        expect(view).to.include("('error_rate', 'Error rate', 'failed turns / turns', 'of turns failed', 'percent', 1, 1, NULL, 1, 0.1, 0.5, 60, 20)");
        expect(view).to.match(/\('silent_agent', 'Silent agent', [^\n]*, 'SALES_DB\.AGENTS\.SALES_BOT', 0, 40, 80, 120, 0\)/);
        expect(buildSqlCatalog(parse({})).views.ALERT_RULES.text).to.equal(buildAlertSql(parse({})).views.ALERT_RULES.text);
    });

    const broken: [string, Record<string, string>, RegExp][] = [
        ["a name that is not the file's", { "bad_rule.yml": fixture("throwaway_turns.yml"), "bad_rule.sql": "SELECT 1" },
            /bad_rule\.yml: name "throwaway_turns" must be the file's own name \(bad_rule\)/],
        ["an unknown field", { "throwaway_turns.yml": `${fixture("throwaway_turns.yml")}severity: high\n`, "throwaway_turns.sql": "SELECT 1" },
            /throwaway_turns\.yml: has unknown field\(s\) severity/],
        ["a ratio that does not read as a percentage", {
            "throwaway_turns.yml": fixture("throwaway_turns.yml").replace("ratio: false", "ratio: true"), "throwaway_turns.sql": "SELECT 1",
        }, /a ratio rule reads as a percentage: set format: percent/],
        ["a ratio default above 1", {
            "throwaway_turns.yml": fixture("throwaway_turns.yml").replace("ratio: false", "ratio: true").replace("format: multiple", "format: percent"),
            "throwaway_turns.sql": "SELECT 1",
        }, /throwaway_turns\.yml: defaults\.critical is 100000; it must be a number above 0 and at most 1/],
        ["a missing default", {
            "throwaway_turns.yml": fixture("throwaway_turns.yml").replace(", minVolume: 0", ""), "throwaway_turns.sql": "SELECT 1",
        }, /defaults must give exactly enabled, warning, critical, windowMinutes, minVolume; missing minVolume/],
        ["a windowed rule whose SQL takes no window", {
            "throwaway_turns.yml": fixture("throwaway_turns.yml").replace("  WINDOW_MINUTES: {setting: windowMinutes}\n", ""),
            "throwaway_turns.sql": "SELECT 1",
        }, /is windowed, so its SQL must take the window: add a value \{setting: windowMinutes\}/],
        ["a value of no known kind", {
            "throwaway_turns.yml": fixture("throwaway_turns.yml").replace("{literal: throwaway_turns}", "{text: throwaway_turns}"),
            "throwaway_turns.sql": "SELECT 1",
        }, /values\.RULE_NAME is \{"text":"throwaway_turns"\}; give a number, \{table: TABLE_NAME\}/],
        ["a label that would need quoting", {
            "throwaway_turns.yml": fixture("throwaway_turns.yml").replace("label: Throwaway (turns seen)", "label: Agent's turns"),
            "throwaway_turns.sql": "SELECT 1",
        }, /label must be text of 1 to 200 characters without quotes/],
        ["a record without its SQL", { "throwaway_turns.yml": fixture("throwaway_turns.yml") },
            /its SQL "throwaway_turns\.sql" is not a \.sql file beside the record; add throwaway_turns\.sql/],
        ["SQL without a record", { "orphan.sql": "SELECT 1" }, /orphan\.sql: is no rule's SQL: add its record/],
    ];
    for (const [what, files, message] of broken) {
        it(`refuse ${what}, naming the file and the fix`, () => {
            const root = recordsRoot(files);
            expect(() => loadAlertRules(root)).to.throw(AlertRuleRecordError, message);
        });
    }

    it("refuse a table Wallmonitor does not create, when the SQL is built", () => {
        const records = loadAlertRules(recordsRoot({
            "throwaway_turns.yml": fixture("throwaway_turns.yml").replace("{table: AGENT_REGISTRY}", "{table: AGENT_REGISTER}"),
            "throwaway_turns.sql": fixture("throwaway_turns.sql"),
        }));
        expect(() => buildAlertSql(parse({}), records)).to.throw(AlertRuleRecordError,
            /throwaway_turns\.yml: values\.REGISTRY_TABLE names the table AGENT_REGISTER, which Wallmonitor does not create/);
    });

    it("refuse config parsed for other rules than the records the SQL is built from", () => {
        const records = loadAlertRules(withThrowaway());
        expect(() => buildAlertSql(parse({ alertRules: '{"defaults": {"error_rate": {"warning": 0.1}}}' }), records))
            .to.throw(/wallmonitor:alertRules was parsed for the rules .* not the records given/);
    });
});

describe("a throwaway rule added by its record and its SQL alone", () => {
    const records = loadAlertRules(withThrowaway());
    const rules = parseAlertRules("alertRules", JSON.stringify({
        defaults: { throwaway_turns: { warning: 2, windowMinutes: 30 } },
        agents: { "SALES_DB.AGENTS.SALES_BOT": { throwaway_turns: { enabled: false } } },
    }), records);
    const config = { ...parse({ alertingEnabled: "true" }), alertRules: rules };
    const sql = buildAlertSql(config, records);

    it("is a rule the config knows, with its record's defaults under what the config changes", () => {
        expect(records.map((record) => record.name)).to.include("throwaway_turns");
        expect(parseAlertRules("alertRules", undefined, records).defaults.throwaway_turns)
            .to.deep.equal({ enabled: true, warning: 1, critical: 100000, windowMinutes: 360, minVolume: 0 });
        expect(rules.defaults.throwaway_turns).to.deep.equal({ enabled: true, warning: 2, critical: 100000, windowMinutes: 30, minVolume: 0 });
        expect(rules.agents["SALES_DB.AGENTS.SALES_BOT"].throwaway_turns?.enabled).to.equal(false);
        // Its thresholds are checked like any rule's.
        expect(() => parseAlertRules("alertRules", '{"defaults": {"throwaway_turns": {"warning": -1}}}', records))
            .to.throw(/defaults\.throwaway_turns\.warning is -1; it must be a number above 0 \(turns\)/);
        // The deployed rules do not have it: the records root decides.
        expect(ALERT_RULE_NAMES).not.to.include("throwaway_turns");
        expect(() => parse({ alertRules: '{"defaults": {"throwaway_turns": {}}}' })).to.throw(ConfigError, /unknown rule "throwaway_turns"/);
    });

    it("is rendered into the alerting procedure: its statement with the configured window, its format", () => {
        const statement = sql.statements[ruleStatementName("throwaway_turns")];
        expect(statement.text).to.include("SELECT 'throwaway_turns' AS RULE_NAME")
            .and.to.include("DATEADD('minute', -30, c.AS_OF)")
            .and.to.match(/FROM [A-Z_]+\.[A-Z_]+\.AGENT_REGISTRY\n/);
        expect(sql.settings.ruleInfo.throwaway_turns).to.deep.equal({ statement: "rule_throwaway_turns", format: "multiple" });
        const body = alertingProcedureDefinition(sql);
        expect(body).to.include('\\"rule_throwaway_turns\\":').and.to.include('\\"throwaway_turns\\":{\\"enabled\\":true,\\"warning\\":2');
    });

    it("is a row of ALERT_RULES, for the stack and for the agent that overrides it", () => {
        const view = sql.views.ALERT_RULES.text;
        expect(view).to.include("('throwaway_turns', 'Throwaway (turns seen)', 'turns of the agent in the window', 'turns', 'multiple', " +
            "0, 1, NULL, 1, 2, 100000, 30, 0)");
        expect(view).to.include("('throwaway_turns', 'Throwaway (turns seen)', 'turns of the agent in the window', 'turns', 'multiple', " +
            "0, 1, 'SALES_DB.AGENTS.SALES_BOT', 0, 2, 100000, 30, 0)");
    });
});
