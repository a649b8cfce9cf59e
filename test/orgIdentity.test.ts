import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";

import { ConfigError, loadOrgIdentityKey, parseConfig } from "../lib/config/stack";
import { buildOffline, OfflineBuild, PROJECT_ROOT, readStackConfig, RecordedResource } from "../plan/offline";
import { ORG_IDENTITY_KEY_VIEW, USER_IDENTITY_COLUMNS } from "../lib/sql/orgCatalog";
import { ORG_SHARE_SCHEMA } from "../lib/config/org";
import { renderPlan } from "../plan/plan";
import { diffPlans, planModel } from "../plan/planDiff";
import { checkBuild } from "../policy/offline";
import { policyContext } from "../policy/pack";
import { runPolicies } from "../policy/rules";
import { isSecret } from "../policy/subject";

const RULE = "org-share-user-identity";
const KEY = "k3y-for-the-tests-only-0123456789abcdefABCDEF";
const MEMBER = { accountRole: "member", orgConsumerAccounts: '["ACME.CENTRAL"]' };
const parse = (values: Record<string, string>) => parseConfig({ get: (key) => values[key] });
const views = (build: OfflineBuild) => build.resources.filter((resource) => resource.type === "snowflake:index/view:View");
const sharedViews = (build: OfflineBuild) => views(build).filter((view) => view.inputs.schema === ORG_SHARE_SCHEMA);
const keyView = (build: OfflineBuild) => views(build).find((view) => view.inputs.name === ORG_IDENTITY_KEY_VIEW);
const secretBuild = (stack: string, overrides: Record<string, string> = {}) =>
    buildOffline(stack, { "wallmonitor:orgIdentityKey": KEY, ...overrides }, ["wallmonitor:orgIdentityKey"]);

describe("wallmonitor:orgUserIdentity and wallmonitor:orgIdentityKey", () => {
    it("is pseudonymous by default and accepts none and named", () => {
        expect(parse(MEMBER).orgUserIdentity).to.equal("pseudonymous");
        expect(parse({ ...MEMBER, orgUserIdentity: "NONE" }).orgUserIdentity).to.equal("none");
        expect(parse({ ...MEMBER, orgUserIdentity: "named" }).orgUserIdentity).to.equal("named");
        expect(() => parse({ ...MEMBER, orgUserIdentity: "hashed" })).to.throw(ConfigError,
            /wallmonitor:orgUserIdentity: "hashed" is not one of the accepted values: none, pseudonymous, named/);
    });

    it("needs the key on a member that does not name users, refuses a weak one without showing it, and keeps it secret", () => {
        const load = (values: Record<string, string>, key?: string) =>
            loadOrgIdentityKey(parse(values), { get: (name) => (name === "orgIdentityKey" ? key : undefined) });
        expect(() => load(MEMBER)).to.throw(ConfigError, /wallmonitor:orgIdentityKey: is required because wallmonitor:orgUserIdentity is pseudonymous.*pulumi config set --secret wallmonitor:orgIdentityKey/);
        expect(() => load({ ...MEMBER, orgUserIdentity: "none" })).to.throw(ConfigError, /is required because wallmonitor:orgUserIdentity is none/);
        for (const weak of ["short-key", `${KEY}'; DROP TABLE X`]) {
            let message = "";
            try {
                load(MEMBER, weak);
            } catch (error) {
                message = (error as Error).message;
            }
            expect(message).to.match(/wallmonitor:orgIdentityKey: must be at least 32 characters/);
            expect(message).not.to.include(weak);
        }
        expect(load({ ...MEMBER, orgUserIdentity: "named" })).to.equal(undefined);
        expect(load({})).to.equal(undefined);
        expect(() => load({ accountRole: "central", orgMembers: "[]" }, KEY)).to.throw(ConfigError,
            /orgIdentityKey: is set on the central stack: the central account must not hold the members' key/);
        expect(load(MEMBER, KEY)).not.to.equal(undefined);
    });

    it("fails the central stack's build when it is given the key", async () => {
        let error: unknown;
        await secretBuild("central").catch((caught) => (error = caught));
        expect(error).to.be.instanceOf(ConfigError);
        expect((error as Error).message).to.match(/orgIdentityKey: is set on the central stack/);
        expect((error as Error).message).not.to.include(KEY);
    });
});

for (const stack of ["member-eu", "member-apps"]) {
    describe(`the ${stack} share's user identity`, () => {
        let build: OfflineBuild;
        before(async () => {
            build = await secretBuild(stack);
        });

        it("keeps the key in a secure view of Wallmonitor's own schema, as a Pulumi secret, granted to no role or share", () => {
            const view = keyView(build)!;
            expect(view.inputs).to.include({ schema: readStackConfig(stack)["wallmonitor:schema"] ?? "WALLMONITOR", isSecure: "true" });
            expect(isSecret(view.inputs.statement)).to.equal(true);
            expect(JSON.stringify(build.resources.filter((resource) => resource !== view).map((resource) => resource.inputs))).not.to.include(KEY);
            expect(JSON.stringify(build.resources.filter((resource) => /grant/i.test(resource.type)).map((resource) => resource.inputs)))
                .not.to.include(ORG_IDENTITY_KEY_VIEW);
        });

        it("never shows the key in the plan or the plan model, and shows the identity setting", () => {
            const plan = renderPlan(build, { full: true });
            expect(plan).not.to.include(KEY);
            expect(JSON.stringify(planModel(build, PROJECT_ROOT))).not.to.include(KEY);
            expect(plan).to.include(`### View ${readStackConfig(stack)["wallmonitor:database"]}.WALLMONITOR.${ORG_IDENTITY_KEY_VIEW}\n\n\`\`\`sql\n[secret]\n\`\`\``);
            expect(plan).to.include("CASE 'pseudonymous'");
            for (const view of sharedViews(build)) {
                expect(view.inputs.comment, String(view.inputs.name)).to.include("Users: pseudonymous (wallmonitor:orgUserIdentity)");
            }
        });

        it("passes every identity column of a shared view through the identity CASE", () => {
            const identified = sharedViews(build).filter((view) => USER_IDENTITY_COLUMNS.some((column) =>
                new RegExp(`\\b${column}\\b`).test(String(view.inputs.statement))));
            expect(identified.map((view) => view.inputs.name).sort()).to.deep.equal([
                "AGENT_DAILY_ROLLUP", ...(stack === "member-apps" ? ["AGENT_EVENTS_HISTORY"] : []), "AGENT_USAGE_BY_USER", "USER_DAILY_ROLLUP"]);
            for (const view of identified) {
                expect(String(view.inputs.statement), String(view.inputs.name)).to.match(/CASE 'pseudonymous'\s+WHEN 'named' THEN/);
            }
            expect(checkBuild(build).filter((violation) => violation.policy === RULE)).to.deep.equal([]);
        });
    });
}

describe(`policy ${RULE}`, () => {
    let build: OfflineBuild;
    before(async () => {
        build = await secretBuild("member-apps");
    });
    const subjects = (resources: readonly RecordedResource[]) => resources.map((resource) =>
        ({ type: resource.type, name: resource.name, props: resource.inputs, protect: resource.protect }));
    const violations = (resources: readonly RecordedResource[], identity?: string) =>
        runPolicies(subjects(resources), policyContext(["VIEWER"], { orgUserIdentity: identity }))
            .filter((violation) => violation.policy === RULE).map((violation) => violation.message);
    const userRollup = () => sharedViews(build).find((view) => view.inputs.name === "USER_DAILY_ROLLUP")!;

    it("fails names in the share unless the stack says named, and a setting that differs from the stack's", async () => {
        const named = await secretBuild("member-apps", { "wallmonitor:orgUserIdentity": "named" });
        expect(checkBuild(named).filter((violation) => violation.policy === RULE)).to.deep.equal([]);
        const messages = violations(sharedViews(named));
        expect(messages.length).to.be.greaterThan(0);
        expect(messages[0]).to.match(/shares users as named, but the stack's orgUserIdentity is pseudonymous; names leave the account only with wallmonitor:orgUserIdentity named/);
        expect(violations(sharedViews(build), "none")[0]).to.match(/shares users as pseudonymous, but the stack's orgUserIdentity is none/);
    });

    it("shows a change of the setting as a risky change in the plan diff", async () => {
        const named = await secretBuild("member-apps", { "wallmonitor:orgUserIdentity": "named" });
        const diff = await diffPlans(planModel(build, PROJECT_ROOT), planModel(named, PROJECT_ROOT));
        expect(diff.risks.filter((risk) => risk.includes("identifies users"))).to.deep.equal(
            ["AGENT_DAILY_ROLLUP", "AGENT_EVENTS_HISTORY", "AGENT_USAGE_BY_USER", "USER_DAILY_ROLLUP"].map((view) =>
                `changes how share view WALLMONITOR.${ORG_SHARE_SCHEMA}.${view} identifies users: pseudonymous → named`));
    });

    it("fails a shared view that selects a user or error column around the identity CASE", () => {
        for (const column of ["USER_NAME", "USER_ID", "ERROR_MESSAGE", "USERS"]) {
            const raw = { ...userRollup(), inputs: { ...userRollup().inputs, statement:
                `SELECT 'ACME.X' AS SOURCE_ACCOUNT, DAY, ${column} FROM DB.WALLMONITOR.USER_DAILY_ROLLUP` } };
            expect(violations([raw]), column).to.deep.equal([`shared view ${ORG_SHARE_SCHEMA}.USER_DAILY_ROLLUP selects ${column} outside ` +
                "the identity CASE of sql/org/source_rows_*.sql, so it would leave the account whatever wallmonitor:orgUserIdentity says"]);
        }
        expect(violations([userRollup()])).to.deep.equal([]);
    });

    it("fails the key in plain text and any grant on the key view", () => {
        const view = keyView(build)!;
        const plain = { ...view, inputs: { ...view.inputs, statement: `SELECT CAST('${KEY}' AS VARCHAR) AS IDENTITY_KEY` } };
        expect(violations([plain])).to.deep.equal([`${ORG_IDENTITY_KEY_VIEW} holds the identity key in plain text; pass its statement as a Pulumi secret`]);
        const grant = { type: "snowflake:index/grantPrivilegesToShare:GrantPrivilegesToShare", name: "g", custom: true,
            inputs: { toShare: "WALLMONITOR_ORG_SHARE", privileges: ["SELECT"], onView: `"DB"."WALLMONITOR"."${ORG_IDENTITY_KEY_VIEW}"` } };
        expect(violations([grant])).to.deep.equal([`grants SELECT on ${ORG_IDENTITY_KEY_VIEW} to share WALLMONITOR_ORG_SHARE; ` +
            "the identity key is read only by the shared views, as their owner"]);
    });

    it("reads the stack's setting from each stack's policy config, kept equal to wallmonitor:orgUserIdentity", () => {
        for (const file of fs.readdirSync(PROJECT_ROOT).filter((name) => /^Pulumi\.(.+)\.yaml$/.test(name))) {
            const stack = /^Pulumi\.(.+)\.yaml$/.exec(file)![1];
            const config = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "policy", `config.${stack}.json`), "utf8")) as
                Record<string, { orgUserIdentity?: string }>;
            expect(config[RULE]?.orgUserIdentity ?? "pseudonymous", stack)
                .to.equal(readStackConfig(stack)["wallmonitor:orgUserIdentity"] ?? "pseudonymous");
        }
    });
});
