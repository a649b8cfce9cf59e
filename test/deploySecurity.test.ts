import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";

import { ACCOUNT_ADMIN_ROLES, checkPreviewRole, ConfigError, resolveDeployUser } from "../lib/config/stack";
import { configErrorOf, parseValues } from "./helpers/config";
import { buildOffline, OfflineBuild, PROJECT_ROOT, readStackConfig } from "../plan/offline";
import { renderPlan } from "../plan/plan";
import { checkBuild } from "../policy/offline";
import { OWNER_ROLE_RULES } from "../policy/ownerRole";
import { policyContext } from "../policy/pack";
import type { PolicySubject } from "../policy/subject";

/**
 * Issue 15 items 2 and 6: the account-level bootstrap apart from the routine deploy, which holds no
 * administrator role, and the owner role (every agent's raw events) kept from parentRole.
 */

const GRANT_ACCOUNT_ROLE = "snowflake:index/grantAccountRole:GrantAccountRole";
const PROVIDER = "pulumi:providers:snowflake";



const key = (resource: { type: string; name: string }) => `${resource.type}::${resource.name}`;
const custom = (build: OfflineBuild) => build.resources.filter((resource) => resource.custom && resource.type !== PROVIDER);
const planGrants = (build: OfflineBuild) => renderPlan(build).split("\n").filter((line) => /\| ROLE [A-Z_]+ \| \(role grant\) \|$/.test(line));

describe("deploy identities: config", () => {
    it("deploys everything by default, as one identity", () => {
        expect(parseValues({})).to.include({ deployment: "all", deployUser: undefined, ownerRoleToParentRole: false, deployAdminRole: undefined });
    });

    it("refuses a monitoring stack that would need adminRole at deploy time, naming deployAdminRole and the privilege", () => {
        const git = { dashboardSource: "git", gitRepositoryUrl: "https://github.com/acme/wallmonitor.git" };
        const error = configErrorOf({ ...git, deployment: "monitoring" });
        expect(error.key).to.equal("deployAdminRole");
        expect(error.message).to.include("CREATE INTEGRATION");
        expect(parseValues({ ...git, deployment: "monitoring", deployAdminRole: "SFE_WALLMONITOR_DEPLOY_ADMIN" }).deployAdminRole)
            .to.equal("SFE_WALLMONITOR_DEPLOY_ADMIN");
        // Nothing account-level at deploy time: no deploy admin needed, and none accepted.
        expect(parseValues({ deployment: "monitoring" }).deployment).to.equal("monitoring");
        expect(configErrorOf({ deployAdminRole: "SFE_WALLMONITOR_DEPLOY_ADMIN" }).key).to.equal("deployAdminRole");
        for (const role of ACCOUNT_ADMIN_ROLES) {
            expect(configErrorOf({ ...git, deployment: "monitoring", deployAdminRole: role }).message).to.include("system role");
        }
    });

    it("grants the owner role to wallmonitor:deployUser, else the connection's user; a bootstrap must name it", () => {
        expect(resolveDeployUser(parseValues({}), { user: "WALLMONITOR_DEPLOY" })).to.equal("WALLMONITOR_DEPLOY");
        expect(resolveDeployUser(parseValues({ deployUser: "CI_DEPLOY" }), { user: "ADMIN" })).to.equal("CI_DEPLOY");
        expect(() => resolveDeployUser(parseValues({ deployment: "bootstrap" }), { user: "WALLMONITOR_ADMIN" }))
            .to.throw(ConfigError, /wallmonitor:deployUser: is required with wallmonitor:deployment bootstrap/);
        expect(() => resolveDeployUser(parseValues({}), {})).to.throw(ConfigError, /deployUser/);
    });

    it("takes wallmonitor:previewRole in a preview only", () => {
        const config = parseValues({ previewRole: "SFE_WALLMONITOR_PREVIEW" });
        expect(checkPreviewRole(config, true).previewRole).to.equal("SFE_WALLMONITOR_PREVIEW");
        expect(() => checkPreviewRole(config, false)).to.throw(ConfigError, /wallmonitor:previewRole: is SFE_WALLMONITOR_PREVIEW, .* is for `pulumi preview` only/);
    });

    it("names the shipped monitoring stacks' deploy user and keeps each policy config's owner settings equal to the stack's", () => {
        for (const stack of fs.readdirSync(PROJECT_ROOT).map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1]).filter(Boolean) as string[]) {
            const raw = readStackConfig(stack);
            const config = parseValues(Object.fromEntries(Object.entries(raw).filter(([name]) => name.startsWith("wallmonitor:"))
                .map(([name, value]) => [name.slice("wallmonitor:".length), value])));
            if (config.deployment === "monitoring") {
                expect(config.deployUser, stack).to.be.a("string");
            }
            const policy = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "policy", `config.${stack}.json`), "utf8"));
            expect(policy["owner-role-not-inherited"], stack).to.deep.include({
                ownerRole: config.ownerRole, ownerRoleToParentRole: config.ownerRoleToParentRole,
            });
        }
    });
});

describe("deploy identities: the bootstrap and the monitoring stack of prod", function () {
    this.timeout(300_000);
    let all: OfflineBuild;
    let monitoring: OfflineBuild;
    let bootstrap: OfflineBuild;

    before(async () => {
        all = await buildOffline("prod");
        monitoring = await buildOffline("prod", { "wallmonitor:deployment": "monitoring" });
        bootstrap = await buildOffline("prod", { "wallmonitor:deployment": "bootstrap", "snowflake:user": "WALLMONITOR_ADMIN" });
    });

    it("together declare exactly the account that the offline build shows (and the administrator's own owner-role grant)", () => {
        const union = [...custom(monitoring), ...custom(bootstrap)].map(key).filter((name) => !name.endsWith("owner-to-user-wallmonitor-admin")).sort();
        expect(union).to.deep.equal(custom(all).map(key).sort());
        expect(custom(monitoring).map(key).filter((name) => custom(bootstrap).map(key).includes(name))).to.deep.equal([]);
    });

    it("the routine deploy connects and switches to no administrator role", () => {
        const roles = monitoring.resources.flatMap((resource) => resource.type === PROVIDER ? [resource.inputs.role]
            : [resource.inputs.adminRole, resource.inputs.ownerRole]).filter((role): role is string => typeof role === "string");
        expect([...new Set(roles)].sort()).to.deep.equal(["SFE_WALLMONITOR_DEPLOY_ADMIN", "SFE_WALLMONITOR_OWNER"]);
        expect(monitoring.resources.filter((resource) => resource.type === PROVIDER).map((resource) => resource.inputs.role))
            .to.deep.equal(["SFE_WALLMONITOR_OWNER"]);
        for (const kind of ["AccountRole", "GrantAccountRole", "Database", "Warehouse"]) {
            expect(monitoring.resources.filter((resource) => resource.type.endsWith(`:${kind}`)).map((resource) => resource.name), kind)
                .to.deep.equal([]);
        }
        expect(monitoring.resources.filter((resource) => resource.inputs.onAccount === true)).to.deep.equal([]);
    });

    it("the bootstrap holds only account-level objects; the objects are retained on delete, so no change of deployment drops one", () => {
        expect(bootstrap.resources.filter((resource) => resource.type === PROVIDER).map((resource) => resource.inputs.role))
            .to.deep.equal(["ACCOUNTADMIN"]);
        const objects = (build: OfflineBuild) => custom(build).filter((resource) => /:(AccountRole|Database|Warehouse)$/.test(resource.type));
        expect(objects(bootstrap).map((resource) => resource.type.split(":").pop()).sort())
            .to.deep.equal(["AccountRole", "AccountRole", "AccountRole", "Warehouse"]);
        expect(objects(bootstrap).filter((resource) => resource.retainOnDelete !== true).map(key)).to.deep.equal([]);
        // What the monitoring stack leaves out: every object is retained; grants are revoked when the config drops them.
        const left = custom(all).filter((resource) => !custom(monitoring).map(key).includes(key(resource)));
        expect(objects(all).filter((resource) => !left.includes(resource))).to.deep.equal([]);
        expect(left.filter((resource) => resource.retainOnDelete === true && !/:(AccountRole|Database|Warehouse)$/.test(resource.type)).map(key))
            .to.deep.equal([]);
    });

    it("gives the deploy user the owner role and the deploy admin role, which holds exactly what the Git dashboard needs", () => {
        const toUser = bootstrap.resources.filter((resource) => resource.type === GRANT_ACCOUNT_ROLE && resource.inputs.userName !== undefined)
            .map((resource) => [resource.inputs.roleName, resource.inputs.userName]);
        // The administrator too holds the owner role: its observability probes switch to it (USE ROLE needs the grant).
        expect(toUser).to.have.deep.members([["SFE_WALLMONITOR_OWNER", "WALLMONITOR_DEPLOY"], ["SFE_WALLMONITOR_DEPLOY_ADMIN", "WALLMONITOR_DEPLOY"],
            ["SFE_WALLMONITOR_OWNER", "WALLMONITOR_ADMIN"]]);
        const probes = bootstrap.resources.find((resource) => resource.type.endsWith("wallmonitor:AiObservabilityAccess"))!;
        expect(JSON.stringify(probes.inputs.assumeOwnerRole)).to.include("SFE_WALLMONITOR_OWNER");
        const deployAdmin = bootstrap.resources.filter((resource) => resource.inputs.accountRoleName === "SFE_WALLMONITOR_DEPLOY_ADMIN");
        expect(deployAdmin.map((resource) => [resource.inputs.onAccount, resource.inputs.privileges])).to.deep.equal([[true, ["CREATE INTEGRATION"]]]);
    });
});

describe("owner role kept from parentRole (issue 15 item 6)", function () {
    this.timeout(300_000);
    const rule = OWNER_ROLE_RULES[0];
    const grantToRole = (roleName: string, parentRoleName: string): PolicySubject =>
        ({ type: GRANT_ACCOUNT_ROLE, name: "g", props: { roleName, parentRoleName } });

    it("by default: the owner role to the deploy user, the viewer role to parentRole, both in the plan's Grants table; no violation", async () => {
        const build = await buildOffline("prod");
        expect(planGrants(build)).to.have.members([
            "| USER WALLMONITOR_DEPLOY | ROLE SFE_WALLMONITOR_OWNER | (role grant) |",
            "| USER WALLMONITOR_DEPLOY | ROLE SFE_WALLMONITOR_DEPLOY_ADMIN | (role grant) |",
            "| PLATFORM_ADMIN | ROLE SFE_WALLMONITOR_VIEWER | (role grant) |",
        ]);
        expect(checkBuild(build).filter((violation) => violation.policy === rule.name)).to.deep.equal([]);
    });

    it("with ownerRoleToParentRole: the inheritance shows in the Grants table, and the rule accepts it only with the same setting", async () => {
        const build = await buildOffline("prod", { "wallmonitor:ownerRoleToParentRole": "true" });
        expect(planGrants(build)).to.include("| PLATFORM_ADMIN | ROLE SFE_WALLMONITOR_OWNER | (role grant) |");
        expect(checkBuild(build).filter((violation) => violation.policy === rule.name)).to.deep.equal([]);
        const subject = grantToRole("SFE_WALLMONITOR_OWNER", "PLATFORM_ADMIN");
        expect(rule.check(subject, policyContext([], { ownerRole: "SFE_WALLMONITOR_OWNER", ownerRoleToParentRole: false }))[0])
            .to.match(/grants the owner role SFE_WALLMONITOR_OWNER to role PLATFORM_ADMIN: every member of it would read every agent's raw events/);
    });

    it("refuses main's grant of the owner role to parentRole, and the raw-event reader for any role but the owner", () => {
        const context = policyContext([], { ownerRole: "WALLMONITOR_DEV_OWNER" });
        expect(rule.check(grantToRole("WALLMONITOR_DEV_OWNER", "SYSADMIN"), context)).to.have.length(1);
        expect(rule.check(grantToRole("WALLMONITOR_DEV_VIEWER", "SYSADMIN"), context)).to.deep.equal([]);
        expect(rule.check({ type: GRANT_ACCOUNT_ROLE, name: "g", props: { roleName: "WALLMONITOR_DEV_OWNER", userName: "WALLMONITOR_DEPLOY" } },
            context)).to.deep.equal([]);
        const reader = (grantee: string): PolicySubject => ({ type: "pulumi-nodejs:dynamic/wallmonitor:AiObservabilityAccess", name: "a",
            props: { readerRoles: [{ grant: { file: "provider/grant_application_role.sql",
                text: `GRANT APPLICATION ROLE SNOWFLAKE.AI_OBSERVABILITY_READER TO ROLE ${grantee}` } }] } });
        expect(rule.check(reader("WALLMONITOR_DEV_OWNER"), context)).to.deep.equal([]);
        expect(rule.check(reader("ANALYSTS"), context)[0]).to.include("grants SNOWFLAKE.AI_OBSERVABILITY_READER to role ANALYSTS");
    });
});
