import { expect } from "chai";
import * as path from "path";
import type { ResourceProvider } from "@pulumi/pulumi/dynamic";

import { ALERT_RULE_DEFAULTS, ALERT_RULE_NAMES, webhookTarget } from "../lib/config/alerts";
import { ALERT_PROCEDURE, ALERT_TASK, alertingProcedureDefinition, buildAlertSql, RULE_STATEMENTS } from "../lib/sql/alertCatalog";
import { alertRuleSet, DEFAULTS, parseConfig } from "../lib/config/stack";
import { configErrorOf, parseValues } from "./helpers/config";
import { ACCOUNT_VIEW, buildOffline, OfflineBuild, readStackConfig, RecordedResource } from "../plan/offline";
import { PROCEDURE_TYPE, renderPlan } from "../plan/plan";
import { ProcedureInputs, procedureBody } from "../provider/procedure";

const SLACK_URL = "https://hooks.slack.com/services/T0STACK001/B0STACK002/StackTestSecretValue0123";
const TEAMS_URL = "https://default0123abcd.4e.environment.api.powerplatform.com:443/powerautomate/automations/direct/workflows/" +
    "0a1b2c3d4e5f/triggers/manual/paths/invoke?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=TeamsSignature0123456789";
const PAGERDUTY_KEY = "0123456789abcdef0123456789abcdef";
const WEBHOOKS = JSON.stringify([
    { name: "WALLMONITOR_ALERTS_SLACK", kind: "slack", secretKey: "alertSlackWebhookUrl" },
    { name: "WALLMONITOR_ALERTS_PAGER", kind: "pagerduty", secretKey: "alertPagerDutyKey", minLevel: "CRITICAL" },
]);
const SECRET_SIGNATURE = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };
const requireFromString: (code: string) => { handler(): ResourceProvider } =
    require(require.resolve("require-from-string", { paths: [path.dirname(require.resolve("@pulumi/pulumi"))] }));


describe("alerting config", () => {
    it("is off by default, with the built-in rules", () => {
        expect(DEFAULTS.alertingEnabled).to.equal(false);
        expect(alertRuleSet(parseValues({})).defaults).to.deep.equal(ALERT_RULE_DEFAULTS);
        expect(Object.keys(ALERT_RULE_DEFAULTS).sort()).to.deep.equal([...ALERT_RULE_NAMES].sort());
    });

    it("merges defaults and per-agent overrides onto the built-in rules", () => {
        const rules = alertRuleSet(parseValues({ alertRules: JSON.stringify({
            defaults: { error_rate: { warning: 0.1, windowMinutes: 30 } },
            agents: { "SALES_DB.AGENTS.SALES_BOT": { error_rate: { critical: 0.2 }, silent_agent: { enabled: false } } },
        }) }));
        expect(rules.defaults.error_rate).to.deep.equal({ ...ALERT_RULE_DEFAULTS.error_rate, warning: 0.1, windowMinutes: 30 });
        // An agent's override starts from the stack's defaults, not the built-in ones.
        expect(rules.agents["SALES_DB.AGENTS.SALES_BOT"].error_rate).to.deep.equal({
            ...ALERT_RULE_DEFAULTS.error_rate, warning: 0.1, windowMinutes: 30, critical: 0.2,
        });
        expect(rules.agents["SALES_DB.AGENTS.SALES_BOT"].silent_agent?.enabled).to.equal(false);
        // The window is part of the SQL: the rendered statement carries the configured one.
        const sql = buildAlertSql(parseValues({ alertRules: JSON.stringify({ defaults: { error_rate: { windowMinutes: 30 } } }) }));
        expect(sql.statements[RULE_STATEMENTS.error_rate].text).to.include("DATEADD('minute', -30, c.AS_OF)");
    });

    const bad: [string, Record<string, string>, string, RegExp][] = [
        ["invalid JSON", { alertRules: "{defaults:" }, "alertRules", /is not valid JSON/],
        ["an unknown rule", { alertRules: '{"defaults": {"error_rates": {}}}' }, "alertRules", /unknown rule "error_rates"/],
        ["a rate above 1", { alertRules: '{"defaults": {"error_rate": {"warning": 25}}}' }, "alertRules", /at most 1 \(a fraction/],
        ["critical below warning", { alertRules: '{"defaults": {"latency_p95": {"warning": 5000, "critical": 1000}}}' }, "alertRules",
            /critical \(1000\) is below warning \(5000\)/],
        ["a negative threshold", { alertRules: '{"defaults": {"data_lag": {"warning": -5}}}' }, "alertRules", /must be a number/],
        ["a fractional minimum volume", { alertRules: '{"defaults": {"error_rate": {"minVolume": 2.5}}}' }, "alertRules", /minVolume/],
        ["a window per agent", { alertRules: '{"agents": {"DB.S.A": {"error_rate": {"windowMinutes": 10}}}}' }, "alertRules",
            /cannot be set per agent/],
        ["an agent key that is not DB.SCHEMA.AGENT", { alertRules: '{"agents": {"sales_bot": {}}}' }, "alertRules",
            /not DATABASE\.SCHEMA\.AGENT/],
        ["an unknown field", { alertRules: '{"defaults": {"error_rate": {"threshold": 0.2}}}' }, "alertRules", /unknown field\(s\) threshold/],
        ["a recipient that is no address", { alertEmailRecipients: "oncall@acme.com, not-an-address" }, "alertEmailRecipients",
            /"not-an-address" is not a comma-separated list of email addresses/],
        ["a recipient with a quote", { alertEmailRecipients: "x'@acme.com" }, "alertEmailRecipients", /email addresses/],
        ["a webhook of another kind", { alertWebhooks: '[{"name": "OPS_HOOK", "kind": "discord", "secretKey": "k"}]' }, "alertWebhooks",
            /kind "discord" is not one of slack, teams, pagerduty/],
        ["a lower-case integration name", { alertWebhooks: '[{"name": "ops", "kind": "slack", "secretKey": "k"}]' }, "alertWebhooks",
            /not an unquoted UPPERCASE/],
        ["a webhook listed twice", { alertWebhooks: '[{"name": "A", "kind": "slack", "secretKey": "k"}, {"name": "A", "kind": "teams", "secretKey": "j"}]' },
            "alertWebhooks", /names the integration A twice/],
        ["a schedule of zero", { alertScheduleMinutes: "0" }, "alertScheduleMinutes", /from 1 to 1440/],
        ["a cooldown beyond a day", { alertCooldownMinutes: "1441" }, "alertCooldownMinutes", /from 0 to 1440/],
    ];
    for (const [what, values, key, message] of bad) {
        it(`rejects ${what}, naming wallmonitor:${key}`, () => {
            const error = configErrorOf(values);
            expect(error.key).to.equal(key);
            expect(error.message).to.match(new RegExp(`^Invalid config wallmonitor:${key}: `)).and.to.match(message);
        });
    }

    it("splits each webhook into the URL Snowflake stores and the credential, refusing other hosts by key", () => {
        expect(webhookTarget("k", "slack", SLACK_URL)).to.deep.equal({
            url: "https://hooks.slack.com/services/SNOWFLAKE_WEBHOOK_SECRET", secret: "T0STACK001/B0STACK002/StackTestSecretValue0123",
        });
        const teams = webhookTarget("k", "teams", TEAMS_URL);
        expect(teams.url).to.equal("https://default0123abcd.4e.environment.api.powerplatform.com/powerautomate/automations/direct/workflows/" +
            "SNOWFLAKE_WEBHOOK_SECRET");
        expect(teams.secret).to.match(/^0a1b2c3d4e5f\/triggers\/manual\/paths\/invoke\?.*sig=TeamsSignature0123456789$/);
        expect(webhookTarget("k", "pagerduty", PAGERDUTY_KEY)).to.deep.equal({ url: "https://events.pagerduty.com/v2/enqueue", secret: PAGERDUTY_KEY });
        for (const [kind, value] of [["slack", "https://hooks.example.com/services/A/B/C"], ["slack", "http://hooks.slack.com/services/A/B/C"],
            ["teams", "https://prod-01.westus.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=x"],
            ["pagerduty", "https://events.pagerduty.com/v2/enqueue"]] as const) {
            expect(() => webhookTarget("alertHook", kind, value), `${kind} ${value}`).to.throw(/Snowflake/);
            try {
                webhookTarget("alertHook", kind, value);
            } catch (error) {
                // A rejected value (which may hold a credential) is never repeated.
                expect((error as Error).message).not.to.include(kind === "pagerduty" ? "undefined" : value);
            }
        }
    });
});

describe("alerting on the mock runtime", () => {
    const ALERTING = {
        "wallmonitor:alertingEnabled": "true",
        "wallmonitor:alertEmailRecipients": "oncall@acme.com,data-platform@acme.com",
        "wallmonitor:alertWebhooks": WEBHOOKS,
        "wallmonitor:alertSlackWebhookUrl": SLACK_URL,
        "wallmonitor:alertPagerDutyKey": PAGERDUTY_KEY,
    };
    const SECRETS = ["wallmonitor:alertSlackWebhookUrl", "wallmonitor:alertPagerDutyKey"];
    const CREDENTIALS = ["StackTestSecretValue0123", PAGERDUTY_KEY];
    const ofType = (build: OfflineBuild, type: string) => build.resources.filter((resource) => resource.type === type);
    const alertProcedure = (build: OfflineBuild) => ofType(build, PROCEDURE_TYPE).map((resource) => resource.inputs as unknown as ProcedureInputs)
        .find((procedure) => procedure.procedure.endsWith(`.${ALERT_PROCEDURE}`))!;
    const named = (build: OfflineBuild, kind: string, name: string) => build.resources.find((resource) =>
        resource.type.endsWith(`:${kind}`) && (resource.inputs as Record<string, unknown>).name === name) as RecordedResource;
    let build: OfflineBuild;

    before(async () => {
        build = await buildOffline("dev", ALERTING, SECRETS);
    });

    it("creates no alerting object when alertingEnabled is false (both stacks' files)", async () => {
        for (const stack of ["dev", "prod"]) {
            const off = await buildOffline(stack);
            expect(off.resources.filter((resource) => /alerting|Integration/.test(resource.type)), stack).to.deep.equal([]);
            expect(off.resources.filter((resource) => resource.type === PROCEDURE_TYPE &&
                String(resource.inputs.procedure).endsWith(`.${ALERT_PROCEDURE}`)), stack).to.deep.equal([]);
            expect(named(off, "Task", ALERT_TASK), stack).to.equal(undefined);
            expect(off.outputs.alerting, stack).to.equal(null);
        }
    });

    it("declares the component, the procedure, the started serverless task on its schedule, and the integrations as configured", () => {
        expect(ofType(build, "wallmonitor:alerting:Alerting")).to.have.length(1);
        const task = named(build, "Task", ALERT_TASK).inputs as Record<string, any>;
        expect(task.started).to.equal(true);
        expect(task.schedule).to.deep.equal({ minutes: 10 });
        expect(task.warehouse).to.equal(undefined);
        expect(task.sqlStatement).to.match(/CALL WALLMONITOR_DEV\.WALLMONITOR\.EVALUATE_ALERTS\(NULL\)$/);
        const procedure = alertProcedure(build);
        expect(procedure.create.text).to.match(/\bEXECUTE AS OWNER\b/).and.to.match(/\bHANDLER = 'evaluate_alerts'/);
        expect(procedure.argumentTypes).to.deep.equal(["TIMESTAMP_NTZ"]);
        const email = ofType(build, "pulumi-nodejs:dynamic/wallmonitor:EmailIntegration");
        expect(email.map((resource) => resource.inputs.recipients)).to.deep.equal([["oncall@acme.com", "data-platform@acme.com"]]);
        expect((email[0].inputs.create as { text: string }).text).to.include("TYPE = EMAIL");
        const hooks = ofType(build, "pulumi-nodejs:dynamic/wallmonitor:WebhookIntegration");
        expect(hooks.map((hook) => (hook.inputs.integration as { name: string; url: string }))).to.deep.equal([
            { ...(hooks[0].inputs.integration as object), name: "WALLMONITOR_ALERTS_SLACK", url: "https://hooks.slack.com/services/SNOWFLAKE_WEBHOOK_SECRET" },
            { ...(hooks[1].inputs.integration as object), name: "WALLMONITOR_ALERTS_PAGER", url: "https://events.pagerduty.com/v2/enqueue" },
        ]);
        expect(build.outputs.alerting).to.deep.include({ webhooks: ["WALLMONITOR_ALERTS_SLACK", "WALLMONITOR_ALERTS_PAGER"] });
    });

    it("embeds the rules and channels in the procedure, never a credential", () => {
        const definition = procedureBody(alertProcedure(build).create.text);
        // The config the build ran with: the account's view of the stack (plan/offline.ts ACCOUNT_VIEW), plus alerting.
        const raw: Record<string, string> = { ...readStackConfig("dev"), ...ACCOUNT_VIEW, ...ALERTING };
        const config = parseConfig({ get: (key) => raw[`wallmonitor:${key}`] });
        expect(definition?.trim()).to.equal(alertingProcedureDefinition(buildAlertSql(config)).trim());
        expect(definition).to.include('\\"integration\\": \\"WALLMONITOR_ALERTS_PAGER\\"'.replace(/ /g, ""));
        for (const credential of CREDENTIALS) {
            expect(definition).not.to.include(credential);
        }
    });

    it("passes each webhook credential only as a Pulumi secret: not in the serialized provider, other inputs, outputs or plan", async () => {
        const hooks = ofType(build, "pulumi-nodejs:dynamic/wallmonitor:WebhookIntegration");
        const expected = ["T0STACK001/B0STACK002/StackTestSecretValue0123", PAGERDUTY_KEY];
        for (const [index, hook] of hooks.entries()) {
            const { webhookSecret, __provider: code, ...rest } = hook.inputs;
            expect(webhookSecret).to.deep.equal({ ...SECRET_SIGNATURE, value: expected[index] });
            expect(code).to.be.a("string");
            for (const credential of CREDENTIALS) {
                expect(code).not.to.include(credential);
                expect(JSON.stringify(rest)).not.to.include(credential);
            }
            // The engine hands the provider the plain value; its check accepts it.
            const provider = requireFromString(code as string).handler();
            expect(await provider.check!({}, { ...rest, webhookSecret: expected[index] }))
                .to.deep.equal({ inputs: { ...rest, webhookSecret: expected[index] } });
        }
        for (const credential of CREDENTIALS) {
            expect(JSON.stringify(build.outputs)).not.to.include(credential);
            expect(renderPlan(build, { full: true })).not.to.include(credential);
        }
    });

    it("fails the preview naming the secret's key for a webhook on another host, without repeating it", async () => {
        const url = "https://hooks.example.com/services/T0STACK001/B0STACK002/StackTestSecretValue0123";
        let error: unknown;
        try {
            await buildOffline("dev", { ...ALERTING, "wallmonitor:alertSlackWebhookUrl": url }, SECRETS);
        } catch (caught) {
            error = caught;
        }
        expect((error as Error).message).to.match(/Invalid config wallmonitor:alertSlackWebhookUrl: is not a Slack incoming-webhook URL/);
        expect((error as Error).message).not.to.include("StackTestSecretValue0123");
    });

    it("fails the preview when a webhook's secret key is not set", async () => {
        let error: unknown;
        try {
            await buildOffline("dev", { ...ALERTING, "wallmonitor:alertPagerDutyKey": "" }, SECRETS);
        } catch (caught) {
            error = caught;
        }
        expect((error as Error).message).to.match(/wallmonitor:alertPagerDutyKey: holds the secret of the pagerduty webhook WALLMONITOR_ALERTS_PAGER/);
    });
});

describe("alert delivery statements (issue 15, items 1 and 10)", () => {
    const sql = buildAlertSql(parseValues({ alertingEnabled: "true", database: "ANALYTICS", schema: "WM" }));

    it("sanitise every message with Snowflake's own function before it is sent", () => {
        expect(sql.statements.sanitize_message.text).to.match(/SELECT SNOWFLAKE\.NOTIFICATION\.SANITIZE_WEBHOOK_CONTENT\(\?\) AS MESSAGE$/);
        expect(sql.statements.send_notification.text).to.match(/CALL SYSTEM\$SEND_SNOWFLAKE_NOTIFICATION\(\?, \?\)$/);
    });

    it("read delivery results from the stack database's NOTIFICATION_HISTORY within its 14 days", () => {
        const text = sql.statements.notification_history.text;
        expect(text).to.include("FROM TABLE(ANALYTICS.INFORMATION_SCHEMA.NOTIFICATION_HISTORY(");
        expect(text).to.include("START_TIME => DATEADD('day', -13, CURRENT_TIMESTAMP())");
        expect(sql.settings.deliveryLookbackDays).to.equal(13);
    });

    it("write history and state in one transaction, and claim a transition before sending it", () => {
        expect(sql.statements.begin_transaction.text).to.match(/BEGIN TRANSACTION$/);
        expect(sql.statements.claim_delivery.text).to.match(
            /UPDATE ANALYTICS\.WM\.ALERT_HISTORY SET DELIVERY_STATUS = 'SENDING'\nWHERE DELIVERY_KEY = \? AND DELIVERY_STATUS = 'PENDING'$/);
    });
});
