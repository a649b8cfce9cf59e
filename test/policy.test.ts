import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { Secret } from "@pulumi/policy";
import type { ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";

import { ORG_SHARE_SCHEMA } from "../lib/config/org";
import { buildOffline, OfflineBuild, PROJECT_ROOT, readStackConfig } from "../plan/offline";
import { renderPlan } from "../plan/plan";
import { checkBuild } from "../policy/offline";
import { ALL_RESOURCE_RULES, DEFAULT_VIEWER_ROLE, PACK_ARGS, plainProps, POLICY_NAMES, policyContext, RESOURCE_POLICIES } from "../policy/pack";
import { RULES, runPolicies, webhookProblem } from "../policy/rules";
import { secret } from "../policy/subject";
import type { PolicySubject } from "../policy/subject";

const VIEWER = "WALLMONITOR_DEV_VIEWER";
const OWNER = "WALLMONITOR_DEV_OWNER";
const context = policyContext([VIEWER]);
const T = (kind: string) => `snowflake:index/${kind[0].toLowerCase()}${kind.slice(1)}:${kind}`;
const DYNAMIC = (kind: string) => `pulumi-nodejs:dynamic/wallmonitor:${kind}`;

function violations(rule: string, subject: PolicySubject): string[] {
    const found = RULES.find((candidate) => candidate.name === rule);
    expect(found, rule).to.not.equal(undefined);
    return found!.check(subject, context);
}

const grant = (props: Record<string, unknown>, name = "grant"): PolicySubject =>
    ({ type: T("GrantPrivilegesToAccountRole"), name, props });
const onView = (view: string) => ({ onSchemaObject: { objectType: "VIEW", objectName: `"DB"."WALLMONITOR"."${view}"` } });
const statement = (file: string, text: string) => ({ file, text });

describe("policy rules, without the engine", () => {
    it("has kebab-case names, one-sentence descriptions, all distinct and all mandatory in the pack", () => {
        for (const rule of RULES) {
            expect(rule.name).to.match(/^[a-z]+(-[a-z]+)+$/);
            expect(rule.description).to.match(/^[A-Z][^.]*(\.[a-z`][^.]*)*\.$/, rule.name);
        }
        expect(new Set(RULES.map((rule) => rule.name)).size).to.equal(RULES.length);
        expect(RESOURCE_POLICIES.map((policy) => policy.name)).to.deep.equal(ALL_RESOURCE_RULES.map((rule) => rule.name));
        expect(PACK_ARGS.policies.map((policy) => policy.name)).to.deep.equal(POLICY_NAMES);
        expect(RESOURCE_POLICIES.every((policy) => policy.enforcementLevel === "mandatory")).to.equal(true);
        expect(PACK_ARGS.enforcementLevel).to.equal("mandatory");
    });

    describe("viewer-no-write-privilege", () => {
        it("accepts read privileges for the viewer and anything for the owner", () => {
            expect(violations("viewer-no-write-privilege", grant({ accountRoleName: VIEWER, privileges: ["SELECT"], ...onView("AGENT_METRICS") }))).to.deep.equal([]);
            expect(violations("viewer-no-write-privilege", grant({ accountRoleName: VIEWER, privileges: ["USAGE"],
                onAccountObject: { objectType: "WAREHOUSE", objectName: "WH" } }))).to.deep.equal([]);
            expect(violations("viewer-no-write-privilege", grant({ accountRoleName: OWNER, privileges: ["INSERT", "DELETE"], ...onView("X") }))).to.deep.equal([]);
        });
        it("rejects write, control and all privileges, ownership and role grants to the viewer", () => {
            expect(violations("viewer-no-write-privilege", grant({ accountRoleName: VIEWER, privileges: ["SELECT", "INSERT"], ...onView("AGENT_METRICS") })))
                .to.have.length(1).and.to.match(/INSERT on VIEW AGENT_METRICS/);
            expect(violations("viewer-no-write-privilege", grant({ accountRoleName: VIEWER, privileges: ["OPERATE"],
                onAccountObject: { objectType: "WAREHOUSE", objectName: "WH" } }))).to.have.length(1);
            expect(violations("viewer-no-write-privilege", grant({ accountRoleName: VIEWER, allPrivileges: true, onSchema: { schemaName: '"DB"."S"' } })))
                .to.have.length(1);
            expect(violations("viewer-no-write-privilege", { type: T("GrantOwnership"), name: "own",
                props: { accountRoleName: VIEWER, on: { objectType: "TABLE", objectName: "DB.S.T" } } })).to.have.length(1);
            expect(violations("viewer-no-write-privilege", { type: T("GrantAccountRole"), name: "role",
                props: { roleName: OWNER, parentRoleName: VIEWER } })).to.have.length(1).and.to.match(/inherit/);
            expect(violations("viewer-no-write-privilege", { type: T("GrantDatabaseRole"), name: "db-role",
                props: { databaseRoleName: '"SNOWFLAKE"."CORTEX_USER"', parentRoleName: VIEWER } })).to.have.length(1);
        });
        it("reads GRANT statements of dynamic resources", () => {
            const app = (privileges: string) => ({ type: DYNAMIC("StreamlitFromFolder"), name: "app", props: {
                app: { grantUsage: statement("provider/streamlit/grant.sql", `-- the viewer opens the app\nGRANT ${privileges} ON STREAMLIT DB.S.APP TO ROLE ${VIEWER}`) },
            } });
            expect(violations("viewer-no-write-privilege", app("USAGE"))).to.deep.equal([]);
            expect(violations("viewer-no-write-privilege", app("OWNERSHIP"))).to.have.length(1);
            const roleStatement = (text: string): PolicySubject => ({ type: DYNAMIC("Access"), name: "a", props: { grant: statement("provider/grant_role.sql", text) } });
            expect(violations("viewer-no-write-privilege", roleStatement(`GRANT APPLICATION ROLE SNOWFLAKE.AI_OBSERVABILITY_READER TO ROLE ${VIEWER}`)))
                .to.have.length(1).and.to.match(/APPLICATION ROLE SNOWFLAKE\.AI_OBSERVABILITY_READER/);
            expect(violations("viewer-no-write-privilege", roleStatement(`GRANT APPLICATION ROLE SNOWFLAKE.AI_OBSERVABILITY_READER TO ROLE ${OWNER}`)))
                .to.deep.equal([]);
        });
    });

    describe("viewer-no-raw-events", () => {
        it("accepts rollup views and dynamic tables", () => {
            expect(violations("viewer-no-raw-events", grant({ accountRoleName: VIEWER, privileges: ["SELECT"], ...onView("AGENT_ROLLUP_DAILY") }))).to.deep.equal([]);
            expect(violations("viewer-no-raw-events", grant({ accountRoleName: VIEWER, privileges: ["SELECT"],
                onSchemaObject: { future: { objectTypePlural: "DYNAMIC TABLES", inSchema: '"DB"."S"' } } }))).to.deep.equal([]);
        });
        it("rejects raw tables, per-event views and ALL/FUTURE tables or views for the viewer, not for the owner", () => {
            for (const object of ["AGENT_EVENTS_HISTORY", "AGENT_REGISTRY", "AGENT_EVENTS", "AGENT_EVENTS_RECENT"]) {
                expect(violations("viewer-no-raw-events", grant({ accountRoleName: VIEWER, privileges: ["SELECT"],
                    onSchemaObject: { objectType: "TABLE", objectName: `"DB"."S"."${object}"` } })), object).to.have.length(1);
            }
            for (const plural of ["TABLES", "VIEWS"]) {
                expect(violations("viewer-no-raw-events", grant({ accountRoleName: VIEWER, privileges: ["SELECT"],
                    onSchemaObject: { all: { objectTypePlural: plural, inSchema: '"DB"."S"' } } })), plural).to.have.length(1);
            }
            expect(violations("viewer-no-raw-events", grant({ accountRoleName: OWNER, privileges: ["SELECT"], ...onView("AGENT_EVENTS") }))).to.deep.equal([]);
        });
    });

    describe("conversation-text-not-shared", () => {
        const share = (props: Record<string, unknown>): PolicySubject => ({ type: T("GrantPrivilegesToShare"), name: "share", props: { toShare: "PARTNER_SHARE", ...props } });
        it("accepts sharing rollups and a share on its own", () => {
            expect(violations("conversation-text-not-shared", share({ privileges: ["SELECT"], onView: "DB.S.AGENT_ROLLUP_DAILY" }))).to.deep.equal([]);
            expect(violations("conversation-text-not-shared", share({ privileges: ["USAGE"], onDatabase: "DB" }))).to.deep.equal([]);
            expect(violations("conversation-text-not-shared", { type: T("Share"), name: "s", props: { name: "PARTNER_SHARE", accounts: ["ORG.ACCT"] } })).to.deep.equal([]);
        });
        it("rejects the history, the per-event views and all tables in a share, and conversation objects for the viewer", () => {
            expect(violations("conversation-text-not-shared", share({ privileges: ["SELECT"], onTable: '"DB"."S"."AGENT_EVENTS_HISTORY"' }))).to.have.length(1);
            expect(violations("conversation-text-not-shared", share({ privileges: ["SELECT"], onView: "DB.S.AGENT_EVENTS" }))).to.have.length(1);
            expect(violations("conversation-text-not-shared", share({ privileges: ["SELECT"], onAllTablesInSchema: "DB.S" }))).to.have.length(1);
            expect(violations("conversation-text-not-shared", grant({ accountRoleName: VIEWER, privileges: ["SELECT"], ...onView("AGENT_EVENTS_RECENT") }))).to.have.length(1);
            expect(violations("conversation-text-not-shared", { type: DYNAMIC("Share"), name: "s", props: {
                grant: statement("provider/share/grant.sql", "GRANT SELECT ON VIEW DB.S.AGENT_EVENTS TO SHARE PARTNER_SHARE"),
            } })).to.have.length(1);
        });
        it("rejects a share of Wallmonitor's provider that names a conversation object, and accepts one of rollups", () => {
            const share = (props: Record<string, unknown>): PolicySubject => ({ type: DYNAMIC("UsageShare"), name: "share",
                props: { name: "PARTNER_SHARE", comment: "Rollups only, never AGENT_EVENTS_HISTORY.", ...props } });
            expect(violations("conversation-text-not-shared", share({ objects: ["DB.S.AGENT_ROLLUP_DAILY", "DB.S.AGENT_USAGE_BY_AGENT"],
                createView: statement("provider/share/view.sql", "CREATE SECURE VIEW DB.S.SHARED_USAGE AS SELECT * FROM DB.S.AGENT_ROLLUP_DAILY") })))
                .to.deep.equal([]);
            expect(violations("conversation-text-not-shared", share({ objects: ["DB.S.AGENT_ROLLUP_DAILY", "DB.S.AGENT_EVENTS_RECENT"] })))
                .to.have.length(1).and.to.match(/objects\[1\] names AGENT_EVENTS_RECENT/);
            expect(violations("conversation-text-not-shared", share({
                createView: statement("provider/share/view.sql", "CREATE SECURE VIEW DB.S.SHARED AS SELECT * FROM DB.S.\"AGENT_EVENTS_HISTORY\"") })))
                .to.have.length(1).and.to.match(/names AGENT_EVENTS_HISTORY/);
        });
    });

    describe("serverless-self-suspending-schedules", () => {
        const task = (props: Record<string, unknown>): PolicySubject => ({ type: T("Task"), name: "task",
            props: { name: "T", database: "DB", schema: "S", sqlStatement: "CALL X()", ...props } });
        const alertResource = (create: string): PolicySubject => ({ type: DYNAMIC("Alert"), name: "alert",
            props: { name: "A", create: statement("provider/alerts/create_alert.sql", create) } });
        it("accepts serverless tasks and alerts that suspend after failures", () => {
            expect(violations("serverless-self-suspending-schedules", task({ suspendTaskAfterNumFailures: 3 }))).to.deep.equal([]);
            expect(violations("serverless-self-suspending-schedules", alertResource(
                "CREATE OR REPLACE ALERT DB.S.A\n  SCHEDULE = '10 MINUTE'\n  SUSPEND_ALERT_AFTER_NUM_FAILURES = 3\n  IF (EXISTS (SELECT 1)) THEN CALL N()"))).to.deep.equal([]);
        });
        it("rejects a task on a warehouse or without suspension, the provider's warehouse alert, and such SQL", () => {
            expect(violations("serverless-self-suspending-schedules", task({ warehouse: "WH", suspendTaskAfterNumFailures: 3 }))).to.have.length(1);
            expect(violations("serverless-self-suspending-schedules", task({}))).to.have.length(1).and.to.match(/never suspends/);
            expect(violations("serverless-self-suspending-schedules", task({ suspendTaskAfterNumFailures: 0 }))).to.have.length(1);
            expect(violations("serverless-self-suspending-schedules", { type: T("Alert"), name: "a", props: { name: "A", warehouse: "WH" } })).to.have.length(1);
            expect(violations("serverless-self-suspending-schedules", alertResource(
                "CREATE ALERT DB.S.A WAREHOUSE = WH SCHEDULE = '10 MINUTE' SUSPEND_ALERT_AFTER_NUM_FAILURES = 3 IF (EXISTS (SELECT 1)) THEN CALL N()"))).to.have.length(1);
            expect(violations("serverless-self-suspending-schedules", alertResource(
                "-- SUSPEND_ALERT_AFTER_NUM_FAILURES = 3 only in a comment\nCREATE ALERT DB.S.A SCHEDULE = '10 MINUTE' IF (EXISTS (SELECT 1)) THEN CALL N()")))
                .to.have.length(1).and.to.match(/SUSPEND_ALERT_AFTER_NUM_FAILURES/);
            expect(violations("serverless-self-suspending-schedules", { type: DYNAMIC("Task"), name: "t", props: {
                create: statement("provider/tasks/create.sql", "CREATE TASK DB.S.T SCHEDULE = '5 MINUTE' AS CALL X()"),
            } })).to.have.length(1);
        });
    });

    describe("webhook-url-allowlisted", () => {
        const webhook = (url: unknown): PolicySubject => ({ type: DYNAMIC("WebhookNotification"), name: "hook", props: { name: "HOOK", webhookUrl: url } });
        it("accepts Slack, Teams and PagerDuty over https, also as secrets", () => {
            for (const url of ["https://hooks.slack.com/services/SNOWFLAKE_WEBHOOK_SECRET", "https://acme.webhook.office.com/webhookb2/x",
                "https://prod-42.westus.logic.azure.com/workflows/abc", "https://events.pagerduty.com/v2/enqueue"]) {
                expect(violations("webhook-url-allowlisted", webhook(url)), url).to.deep.equal([]);
                expect(violations("webhook-url-allowlisted", webhook(secret(url))), url).to.deep.equal([]);
            }
        });
        it("rejects other hosts, http, credentials in the URL and look-alike hosts", () => {
            for (const url of ["https://example.com/hook", "http://hooks.slack.com/services/x", "https://u:p@hooks.slack.com/x",
                "https://hooks.slack.com.evil.example/x", "https://evilhooks.slack.com/x", "not a url"]) {
                expect(violations("webhook-url-allowlisted", webhook(url)), url).to.have.length(1);
            }
            expect(violations("webhook-url-allowlisted", webhook(secret("https://example.com/hook")))).to.have.length(1);
            expect(violations("webhook-url-allowlisted", { type: DYNAMIC("Integration"), name: "i", props: {
                create: statement("provider/webhooks/create.sql", "CREATE NOTIFICATION INTEGRATION N TYPE = WEBHOOK WEBHOOK_URL = 'https://example.org/x'"),
            } })).to.have.length(1);
            expect(webhookProblem("https://events.eu.pagerduty.com/v2/enqueue")).to.equal(undefined);
        });
    });

    describe("no-plain-credentials", () => {
        it("accepts credentials as secrets, names of secrets and fingerprints", () => {
            expect(violations("no-plain-credentials", { type: "pulumi:providers:snowflake", name: "p",
                props: { privateKey: secret("-----BEGIN PRIVATE KEY-----\nabc"), password: secret("pw"), user: "DEPLOY" } })).to.deep.equal([]);
            expect(violations("no-plain-credentials", { type: DYNAMIC("Git"), name: "g",
                props: { gitToken: secret("ghp_x"), secretName: "DB.S.GIT_SECRET", gitTokenFingerprint: "sha256:a:b" } })).to.deep.equal([]);
            expect(violations("no-plain-credentials", { type: DYNAMIC("Hook"), name: "h",
                props: { webhookUrl: "https://hooks.slack.com/services/SNOWFLAKE_WEBHOOK_SECRET" } })).to.deep.equal([]);
        });
        it("rejects plain passwords, keys and tokens, nested too, and webhook URLs that carry their token", () => {
            expect(violations("no-plain-credentials", { type: "pulumi:providers:snowflake", name: "p", props: { password: "hunter2" } })).to.have.length(1);
            expect(violations("no-plain-credentials", { type: DYNAMIC("Git"), name: "g", props: { auth: { gitToken: "ghp_x" } } }))
                .to.have.length(1).and.to.match(/auth\.gitToken/);
            expect(violations("no-plain-credentials", { type: DYNAMIC("X"), name: "x", props: { pem: "-----BEGIN RSA PRIVATE KEY-----\nabc" } })).to.have.length(1);
            expect(violations("no-plain-credentials", { type: DYNAMIC("Hook"), name: "h",
                props: { webhookUrl: "https://hooks.slack.com/services/T000/B000/XXXXSECRET" } })).to.have.length(1);
            expect(violations("no-plain-credentials", { type: DYNAMIC("Hook"), name: "h",
                props: { create: statement("provider/x.sql", "CREATE SECRET S TYPE = GENERIC_STRING SECRET_STRING = 'https://hooks.slack.com/services/T0/B0/abc'") } }))
                .to.have.length(1);
        });
    });

    describe("explicit-uppercase-names", () => {
        it("accepts explicit UPPERCASE names and ignores grants and providers", () => {
            expect(violations("explicit-uppercase-names", { type: T("Table"), name: "t", props: { name: "AGENT_REGISTRY" } })).to.deep.equal([]);
            expect(violations("explicit-uppercase-names", grant({ accountRoleName: VIEWER, privileges: ["USAGE"] }))).to.deep.equal([]);
        });
        it("rejects a missing, lowercase or quoted name", () => {
            expect(violations("explicit-uppercase-names", { type: T("Table"), name: "t", props: {} })).to.have.length(1);
            expect(violations("explicit-uppercase-names", { type: T("View"), name: "v", props: { name: "agent_metrics" } })).to.have.length(1);
            expect(violations("explicit-uppercase-names", { type: T("Share"), name: "s", props: { name: '"My Share"' } })).to.have.length(1);
        });
    });

    describe("history-protected", () => {
        it("accepts protect or retainOnDelete on tables and databases, ignores views", () => {
            expect(violations("history-protected", { type: T("Table"), name: "t", props: { name: "T" }, protect: true })).to.deep.equal([]);
            expect(violations("history-protected", { type: T("Table"), name: "t", props: { name: "T" }, retainOnDelete: true })).to.deep.equal([]);
            expect(violations("history-protected", { type: T("View"), name: "v", props: { name: "V" } })).to.deep.equal([]);
        });
        it("rejects an unprotected table or database", () => {
            expect(violations("history-protected", { type: T("Table"), name: "t", props: { name: "T" } })).to.have.length(1);
            expect(violations("history-protected", { type: T("Database"), name: "d", props: { name: "D" }, protect: false })).to.have.length(1);
        });
    });
});

describe("policy rules during a preview", () => {
    const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    const UNKNOWN_ARRAY = "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2";
    const UNKNOWN_NUMBER = "3eeb2bf0-c639-47a8-9e75-3b44932eb421";

    it("decide nothing on values not known until apply", () => {
        const subjects: PolicySubject[] = [
            grant({ accountRoleName: VIEWER, privileges: UNKNOWN_ARRAY, onSchemaObject: { objectType: "VIEW", objectName: UNKNOWN_STRING } }),
            { type: T("Table"), name: "t", props: { name: UNKNOWN_STRING }, protect: true },
            { type: T("Task"), name: "task", props: { name: "T", warehouse: UNKNOWN_STRING, suspendTaskAfterNumFailures: UNKNOWN_NUMBER } },
            { type: "pulumi:providers:snowflake", name: "p", props: { password: UNKNOWN_STRING } },
            { type: DYNAMIC("Hook"), name: "h", props: { webhookUrl: UNKNOWN_STRING } },
        ];
        expect(runPolicies(subjects, context)).to.deep.equal([]);
        // What is known still counts: the same grant on a raw table is refused.
        expect(runPolicies([grant({ accountRoleName: VIEWER, privileges: UNKNOWN_ARRAY, onSchemaObject: { objectType: "TABLE",
            objectName: '"DB"."S"."AGENT_EVENTS_HISTORY"' } })], context).map((violation) => violation.policy))
            .to.deep.equal(["conversation-text-not-shared", "viewer-no-raw-events"]);
    });
});

describe("the CrossGuard pack", () => {
    /** What CrossGuard hands a policy: props behind its secret-unwrapping and unknown-checking proxies. */
    function crossGuardArgs(type: string, props: Record<string, unknown>, protect: boolean, config: Record<string, unknown> = {}): ResourceValidationArgs {
        const proxy = (target: object): any => new Proxy(target, {
            get: (inner, key) => (key === "__isSpecialProxy" ? true : key === "__getSpecialProxyTarget" ? inner
                : (() => { const value = (inner as any)[key]; return value instanceof Secret ? value.value : value; })()),
        });
        return { type, name: "r", urn: `urn:pulumi:dev::wallmonitor::${type}::r`, props: proxy(proxy(props)),
            opts: { protect, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
            getConfig: <T>() => config as T, isType: () => false, asType: () => undefined, stackTags: new Map(), notApplicable: () => undefined,
        } as unknown as ResourceValidationArgs;
    }
    const run = (policy: string, args: ResourceValidationArgs) => {
        const messages: string[] = [];
        const validate = RESOURCE_POLICIES.find((candidate) => candidate.name === policy)!.validateResource as ResourceValidation;
        validate(args, (message: string) => { messages.push(message); });
        return messages;
    };

    it("sees CrossGuard's Secret values as secrets, and their plain counterparts as violations", () => {
        expect(plainProps(crossGuardArgs("x", { password: new Secret("pw") }, false).props)).to.deep.equal({ password: secret("pw") });
        expect(run("no-plain-credentials", crossGuardArgs("pulumi:providers:snowflake", { password: new Secret("pw") }, false))).to.deep.equal([]);
        expect(run("no-plain-credentials", crossGuardArgs("pulumi:providers:snowflake", { password: "pw" }, false))).to.have.length(1);
    });

    it("reads protect from the resource options", () => {
        expect(run("history-protected", crossGuardArgs(T("Table"), { name: "T" }, true))).to.deep.equal([]);
        expect(run("history-protected", crossGuardArgs(T("Table"), { name: "T" }, false))).to.have.length(1);
    });

    it("takes the viewer role from policy config, defaulting to Pulumi.yaml's", () => {
        const viewerGrant = (role: string) => ({ accountRoleName: role, privileges: ["INSERT"], ...onView("X") });
        expect(run("viewer-no-write-privilege", crossGuardArgs(T("GrantPrivilegesToAccountRole"), viewerGrant(DEFAULT_VIEWER_ROLE), false))).to.have.length(1);
        expect(run("viewer-no-write-privilege", crossGuardArgs(T("GrantPrivilegesToAccountRole"), viewerGrant(VIEWER), false))).to.deep.equal([]);
        expect(run("viewer-no-write-privilege", crossGuardArgs(T("GrantPrivilegesToAccountRole"), viewerGrant(VIEWER), false, { viewerRoles: [VIEWER] })))
            .to.have.length(1);
        const project = yaml.load(fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), "utf8")) as { config: Record<string, { default: unknown }> };
        expect(project.config["wallmonitor:viewerRole"]?.default ?? (project.config as any).viewerRole?.default).to.equal(DEFAULT_VIEWER_ROLE);
    });

    it("has a PulumiPolicy.yaml and, per stack, a policy config naming that stack's viewer role for every policy", () => {
        expect(yaml.load(fs.readFileSync(path.join(PROJECT_ROOT, "policy", "PulumiPolicy.yaml"), "utf8"))).to.have.property("runtime", "nodejs");
        const stacks = fs.readdirSync(PROJECT_ROOT).map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
            .filter((stack): stack is string => stack !== undefined);
        expect(stacks).to.include.members(["dev", "prod"]);
        for (const stack of stacks) {
            const file = path.join(PROJECT_ROOT, "policy", `config.${stack}.json`);
            const config = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, { viewerRoles?: string[] }>;
            const viewer = readStackConfig(stack)["wallmonitor:viewerRole"] ?? DEFAULT_VIEWER_ROLE;
            expect(Object.keys(config).sort(), file).to.deep.equal(RULES.map((rule) => rule.name).sort());
            for (const rule of RULES) {
                expect(config[rule.name].viewerRoles, `${file} ${rule.name}`).to.deep.equal([viewer]);
            }
        }
    });
});

/** Each stack's offline build (its committed config), built once for every test in this file that reads it. */
const builds = new Map<string, Promise<OfflineBuild>>();
function offlineBuild(stack: string): Promise<OfflineBuild> {
    if (!builds.has(stack)) {
        builds.set(stack, buildOffline(stack));
    }
    return builds.get(stack)!;
}

for (const stack of ["dev", "prod"]) {
    describe(`the policy pack over the ${stack} stack's offline build`, () => {
        let build: OfflineBuild;
        before(async () => {
            build = await offlineBuild(stack);
        });

        it("passes every rule, and the plan says so", () => {
            expect(checkBuild(build)).to.deep.equal([]);
            expect(renderPlan(build)).to.include(`All ${POLICY_NAMES.length} mandatory policies of the pack`);
        });

        it("sees the protect option and the viewer role of the real build", () => {
            const tables = build.resources.filter((resource) => resource.type === T("Table"));
            expect(tables.length).to.be.greaterThan(0);
            const unprotected = { ...build, resources: build.resources.map((resource) => (resource === tables[0] ? { ...resource, protect: false } : resource)) };
            expect(checkBuild(unprotected).map((violation) => violation.policy)).to.deep.equal(["history-protected"]);

            const viewer = String(build.outputs.viewerRole);
            const widened = { ...build, resources: [...build.resources, { type: T("GrantPrivilegesToAccountRole"), name: "widen", custom: true,
                inputs: { accountRoleName: viewer, privileges: ["SELECT", "DELETE"], onSchemaObject: { objectType: "TABLE", objectName: `"D"."S"."AGENT_EVENTS_HISTORY"` } } }] };
            expect(checkBuild(widened).map((violation) => violation.policy)).to.deep.equal(
                ["conversation-text-not-shared", "viewer-no-raw-events", "viewer-no-write-privilege"]);
            expect(renderPlan(widened)).to.match(/\*\*3 policy violation\(s\)\*\*/);
        });
    });
}

describe("the policy pack over stacks with every optional feature on", () => {
    it("passes every rule with alerting (email and a Slack webhook) and as a member or the central account", async () => {
        const alerting = await buildOffline("prod", {
            "wallmonitor:alertingEnabled": "true",
            "wallmonitor:alertEmailRecipients": "oncall@acme.com",
            "wallmonitor:alertWebhooks": JSON.stringify([{ name: "WALLMONITOR_ALERTS_SLACK", kind: "slack", secretKey: "alertSlackWebhookUrl" }]),
            "wallmonitor:alertSlackWebhookUrl": "https://hooks.slack.com/services/T000/B000/PolicyTestSecret",
        }, ["wallmonitor:alertSlackWebhookUrl"]);
        expect(alerting.resources.map((resource) => resource.type)).to.include.members([
            T("Task"), "pulumi-nodejs:dynamic/wallmonitor:WebhookIntegration", "pulumi-nodejs:dynamic/wallmonitor:EmailIntegration"]);
        expect(checkBuild(alerting)).to.deep.equal([]);
        for (const stack of ["member-eu", "central"]) {
            expect(checkBuild(await offlineBuild(stack)), stack).to.deep.equal([]);
        }
    });
});

describe("runPolicies", () => {
    it("orders violations by policy, resource and message whatever the resource order", () => {
        const subjects: PolicySubject[] = [
            { type: T("Table"), name: "b", props: { name: "lower" } },
            { type: T("Table"), name: "a", props: {} },
        ];
        const forward = runPolicies(subjects, context);
        expect(runPolicies([...subjects].reverse(), context)).to.deep.equal(forward);
        expect(forward.map((violation) => `${violation.policy}/${violation.resource}`)).to.deep.equal([
            "explicit-uppercase-names/a", "explicit-uppercase-names/b", "history-protected/a", "history-protected/b"]);
    });
});

/** Every committed stack, from its Pulumi.<stack>.yaml. */
const COMMITTED_STACKS = fs.readdirSync(PROJECT_ROOT).map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined).sort();

describe("the offline plan of every committed stack", () => {
    it("covers the five stacks", () => {
        expect(COMMITTED_STACKS).to.include.members(["central", "dev", "member-apps", "member-eu", "prod"]);
    });
    for (const stack of COMMITTED_STACKS) {
        // `npm run plan -- --stack <stack>` exits 1 exactly when checkBuild finds a violation (scripts/plan.ts).
        it(`${stack}: renders and passes every policy, so its plan exits 0`, async () => {
            const build = await offlineBuild(stack);
            expect(checkBuild(build), stack).to.deep.equal([]);
            expect(renderPlan(build)).to.include(`All ${POLICY_NAMES.length} mandatory policies of the pack`);
            // Each view of the share schema a share receives is defined in the same stack, where the policy judged its statement.
            const defined = build.resources.filter((resource) => resource.type === T("View"))
                .map((resource) => `"${String(resource.inputs.database)}"."${String(resource.inputs.schema)}"."${String(resource.inputs.name)}"`);
            const shared = build.resources.filter((resource) => resource.type === T("GrantPrivilegesToShare") &&
                String(resource.inputs.onView ?? "").includes(`"${ORG_SHARE_SCHEMA}".`)).map((resource) => String(resource.inputs.onView));
            expect(defined, stack).to.include.members(shared);
        });
    }
});

describe("conversation-text-not-shared and the member share of recent history (orgShareRecentHistory)", () => {
    const HISTORY = "AGENT_EVENTS_HISTORY";
    const SHARE = "WALLMONITOR_ORG_SHARE";
    let build: OfflineBuild;
    let historyView: OfflineBuild["resources"][number];
    before(async () => {
        build = await offlineBuild("member-apps");
        historyView = build.resources.find((resource) => resource.type === T("View") && resource.inputs.schema === ORG_SHARE_SCHEMA &&
            resource.inputs.name === HISTORY)!;
    });
    const conversation = (changed: OfflineBuild) => checkBuild(changed).filter((violation) => violation.policy === "conversation-text-not-shared");
    /** The build with the share view of the history defined by `statement` instead. */
    const withShareView = (statement: string): OfflineBuild => ({ ...build, resources: build.resources.map((resource) =>
        (resource === historyView ? { ...resource, inputs: { ...resource.inputs, statement } } : resource)) });
    const withResource = (type: string, inputs: Record<string, unknown>): OfflineBuild =>
        ({ ...build, resources: [...build.resources, { type: T(type), name: "added", custom: true, inputs }] });
    const selectList = () => String(historyView.inputs.statement);

    it("shares the history as a secure view named like it, reading it, granted to the share; the pack passes", () => {
        expect(selectList()).to.match(/FROM WALLMONITOR\.WALLMONITOR\.AGENT_EVENTS_HISTORY\b/);
        expect(build.resources.some((resource) => resource.type === T("GrantPrivilegesToShare") &&
            resource.inputs.onView === `"WALLMONITOR"."${ORG_SHARE_SCHEMA}"."${HISTORY}"` && resource.inputs.toShare === SHARE)).to.equal(true);
        expect(checkBuild(build)).to.deep.equal([]);
    });

    it("refuses a share view that adds a conversation_text or user_free_text column, naming the column", () => {
        for (const [column, classification] of [["QUESTION_TEXT", "conversation_text"], ["FEEDBACK_MESSAGE", "user_free_text"]]) {
            const found = conversation(withShareView(selectList().replace(" AS SOURCE_ACCOUNT,", ` AS SOURCE_ACCOUNT, ${column},`)));
            expect(found.map((violation) => violation.message), column).to.have.length(1);
            expect(found[0].message).to.match(new RegExp(`^share view WALLMONITOR\\.${ORG_SHARE_SCHEMA}\\.${HISTORY} reads ${column} ` +
                `\\(${classification} in ${HISTORY}(, [A-Z_, ]+)?\\), which never leaves the account; remove it from the view's statement$`));
        }
        // Under a shareable name it is still read, and still refused.
        expect(conversation(withShareView(selectList().replace(" AS SOURCE_ACCOUNT,", " AS SOURCE_ACCOUNT, ANSWER_TEXT AS STATUS_CODE,")))
            .map((violation) => violation.message)).to.have.length(1).and.to.match(/reads ANSWER_TEXT \(conversation_text in AGENT_EVENTS_HISTORY\)/);
    });

    it("refuses SELECT * in a share view, qualified or not", () => {
        for (const statement of [`SELECT * FROM WALLMONITOR.WALLMONITOR.${HISTORY}`,
            `SELECT 'ACME.APPS_EU' AS SOURCE_ACCOUNT, H.* FROM WALLMONITOR.WALLMONITOR.${HISTORY} AS H`]) {
            const found = conversation(withShareView(statement)).map((violation) => violation.message);
            expect(found, statement).to.have.length(1);
            expect(found[0]).to.match(/share view WALLMONITOR\.WALLMONITOR_SHARED\.AGENT_EVENTS_HISTORY selects \*, .*list the shareable columns/);
        }
        // COUNT(*), a string or a comment holding `*` or a private column's name is no column.
        expect(conversation(withShareView(`-- never QUESTION_TEXT, *\nSELECT 'ANSWER_TEXT, *' AS SOURCE_ACCOUNT, COUNT(*) AS EVENTS_COUNT ` +
            `FROM WALLMONITOR.WALLMONITOR.${HISTORY}`)).map((violation) => violation.message))
            .to.deep.equal([`share view WALLMONITOR.${ORG_SHARE_SCHEMA}.${HISTORY} selects EVENTS_COUNT, which the registry does not let ` +
                `the share carry for ${HISTORY}; share only ${HISTORY}'s shareable columns (sql/<area>/models.yml) and SOURCE_ACCOUNT`]);
    });

    it("refuses a column without a name, and a share-schema view named like no shared model", () => {
        expect(conversation(withShareView(`SELECT 'A' AS SOURCE_ACCOUNT, UPPER(AGENT_NAME) FROM WALLMONITOR.WALLMONITOR.${HISTORY}`))
            .map((violation) => violation.message)).to.have.length(1).and.to.match(/selects `UPPER\(AGENT_NAME\)` without a name/);
        const timeline = { ...build, resources: build.resources.map((resource) => (resource === historyView
            ? { ...resource, inputs: { ...resource.inputs, name: "THREAD_TIMELINE" } } : resource)) };
        expect(conversation(timeline).map((violation) => violation.message)).to.have.length(1)
            .and.to.match(/share view WALLMONITOR\.WALLMONITOR_SHARED\.THREAD_TIMELINE is named like no model the registry shares/);
    });

    it("refuses a share grant on the history table or a conversation view in Wallmonitor's own schema, and on a table in the share schema", () => {
        const cases: [Record<string, unknown>, RegExp][] = [
            [{ onTable: `"WALLMONITOR"."WALLMONITOR"."${HISTORY}"` }, /on TABLE WALLMONITOR\.WALLMONITOR\.AGENT_EVENTS_HISTORY to share/],
            [{ onView: `"WALLMONITOR"."WALLMONITOR"."AGENT_EVENTS_RECENT"` }, /on VIEW WALLMONITOR\.WALLMONITOR\.AGENT_EVENTS_RECENT to share/],
            [{ onView: `WALLMONITOR.WALLMONITOR.${HISTORY}` }, /on VIEW WALLMONITOR\.WALLMONITOR\.AGENT_EVENTS_HISTORY to share/],
            [{ onTable: `"WALLMONITOR"."${ORG_SHARE_SCHEMA}"."${HISTORY}"` }, /on TABLE WALLMONITOR\.WALLMONITOR_SHARED\.AGENT_EVENTS_HISTORY to share/],
            [{ onView: HISTORY }, /on VIEW AGENT_EVENTS_HISTORY to share/],
        ];
        for (const [on, message] of cases) {
            const found = conversation(withResource("GrantPrivilegesToShare", { toShare: SHARE, privileges: ["SELECT"], ...on }));
            expect(found.map((violation) => violation.message), JSON.stringify(on)).to.have.length(1);
            expect(found[0].message).to.match(message).and.to.match(/which may hold conversation text; share a secure view in WALLMONITOR_SHARED/);
        }
    });

    it("keeps the viewer's grants as they were: the share view of the history is not the viewer's either", () => {
        const viewer = String(build.outputs.viewerRole);
        const found = checkBuild(withResource("GrantPrivilegesToAccountRole", { accountRoleName: viewer, privileges: ["SELECT"],
            onSchemaObject: { objectType: "VIEW", objectName: `"WALLMONITOR"."${ORG_SHARE_SCHEMA}"."${HISTORY}"` } }));
        expect(found.map((violation) => violation.policy)).to.deep.equal(["conversation-text-not-shared", "viewer-no-raw-events"]);
        expect(found[0].message).to.match(/to the viewer role .*, which may hold conversation text/);
    });

    describe("in a share of Wallmonitor's provider", () => {
        const providerShare = (view: string, query: string): PolicySubject => ({ type: DYNAMIC("OrgShare"), name: "share", props: {
            name: SHARE,
            createView: statement("provider/share/view.sql", `CREATE OR REPLACE SECURE VIEW DB.${ORG_SHARE_SCHEMA}.${view} COPY GRANTS AS\n${query}`),
            grant: statement("provider/share/grant.sql", `GRANT SELECT ON VIEW DB.${ORG_SHARE_SCHEMA}.${view} TO SHARE ${SHARE}`),
        } });
        it("accepts a column-filtered view over the history, named like it", () => {
            expect(violations("conversation-text-not-shared", providerShare(HISTORY,
                `SELECT 'ACME.A' AS SOURCE_ACCOUNT, EVENT_KEY, AGENT_NAME, H.EVENT_TIMESTAMP FROM DB.WALLMONITOR.${HISTORY} AS H`))).to.deep.equal([]);
        });
        it("still flags a view that selects a text column or uses *, and a source view outside the share schema", () => {
            expect(violations("conversation-text-not-shared", providerShare(HISTORY, `SELECT EVENT_KEY, RAW_ATTRIBUTES FROM DB.WALLMONITOR.${HISTORY}`)))
                .to.have.length(1).and.to.match(/^createView \(provider\/share\/view\.sql\): share view DB\.WALLMONITOR_SHARED\.AGENT_EVENTS_HISTORY reads RAW_ATTRIBUTES/);
            expect(violations("conversation-text-not-shared", providerShare(HISTORY, `SELECT * FROM DB.WALLMONITOR.${HISTORY}`)))
                .to.have.length(1).and.to.match(/selects \*/);
            expect(violations("conversation-text-not-shared", { type: DYNAMIC("OrgShare"), name: "share", props: {
                createView: statement("provider/share/view.sql", `CREATE SECURE VIEW DB.WALLMONITOR.SHARED AS SELECT EVENT_KEY FROM DB.WALLMONITOR.${HISTORY}`),
            } })).to.have.length(1).and.to.match(/names AGENT_EVENTS_HISTORY/);
        });
    });
});
