import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";

import { agentLocationName, ConfigError, parseConfig, parseAgentLocations, WallmonitorConfig } from "../lib/config/stack";
import { buildOffline, OfflineBuild, PROJECT_ROOT, readStackConfig } from "../plan/offline";
import { renderPlan } from "../plan/plan";
import { OWNER_PREVIEW_FEATURES } from "../lib/pulumi/providers";
import { checkBuild } from "../policy/offline";
import { policyContext } from "../policy/pack";
import { RULES } from "../policy/rules";
import type { PolicySubject } from "../policy/subject";

/**
 * Agent access (issue 14 item 2): wallmonitor:agentLocations, the grants the admin role makes
 * there, the ingest-path rules that depend on them, and the policy that keeps them scoped.
 */

const parse = (values: Record<string, string>) => parseConfig({ get: (key) => values[key] });
const GRANT_TYPE = "pulumi-nodejs:dynamic/wallmonitor:Grant";
const OWNER = "WALLMONITOR_DEV_OWNER";
const VIEWER = "WALLMONITOR_DEV_VIEWER";

function stackConfig(stack: string): WallmonitorConfig {
    const raw = readStackConfig(stack);
    return parseConfig({ get: (key) => raw[`wallmonitor:${key}`] });
}

describe("config: agentLocations and the ingest path", () => {
    it("reads a JSON list or a comma-separated list of DATABASE and DATABASE.SCHEMA", () => {
        expect(parseAgentLocations('["SNOWFLAKE_INTELLIGENCE.AGENTS", "SALES_DB"]')).to.deep.equal([
            { database: "SNOWFLAKE_INTELLIGENCE", schema: "AGENTS" }, { database: "SALES_DB" },
        ]);
        expect(parseAgentLocations("SALES_DB.AGENTS, HR_DB")?.map(agentLocationName)).to.deep.equal(["SALES_DB.AGENTS", "HR_DB"]);
        expect(parseAgentLocations(undefined)).to.equal(undefined);
        expect(parse({}).agentLocations).to.equal(undefined);
    });

    const bad: [string, string, RegExp][] = [
        ["a lower-case name", '["sales_db"]', /wallmonitor:agentLocations: "sales_db" is not DATABASE or DATABASE\.SCHEMA of unquoted UPPERCASE identifiers/],
        ["an agent instead of a location", '["DB.S.AGENT"]', /"DB\.S\.AGENT" is not DATABASE or DATABASE\.SCHEMA/],
        ["a quoted identifier", '["\\"DB\\".S"]', /is not DATABASE or DATABASE\.SCHEMA/],
        ["broken JSON", '["DB"', /wallmonitor:agentLocations: is not a JSON list\. Set wallmonitor:agentLocations to a JSON list/],
        ["an empty list", "[]", /must list at least one database or schema/],
        ["a repeated location", '["DB.S", "DB.S"]', /lists DB\.S twice/],
        ["a database and one of its schemas", '["DB", "DB.S"]', /lists both DB and its schema DB\.S; Snowflake applies only the schema's future grants there/],
    ];
    for (const [what, value, message] of bad) {
        it(`refuses ${what}, naming the key and the fix`, () => {
            expect(() => parse({ agentLocations: value })).to.throw(ConfigError, message);
        });
    }

    it("refuses per_agent (and auto, which falls back to it) without agent locations: it would ingest nothing", () => {
        expect(() => parse({ ingestPath: "per_agent" })).to.throw(ConfigError,
            /^Invalid config wallmonitor:agentLocations: is required when wallmonitor:ingestPath is per_agent: the per-agent path reads only agents the owner role holds MONITOR on, .*so it would ingest nothing\. Set wallmonitor:agentLocations to .*, or set wallmonitor:ingestPath to event_table\.$/);
        expect(() => parse({ ingestPath: "auto" })).to.throw(ConfigError, /ingestPath is auto: the fallback to the per-agent path/);
        expect(parse({ ingestPath: "per_agent", agentLocations: "SALES_DB.AGENTS" }).ingestPath).to.equal("per_agent");
        expect(parse({ ingestPath: "event_table" }).agentLocations).to.equal(undefined);
    });

    it("is set in the example stacks that need or use it", () => {
        expect(stackConfig("dev")).to.include({ ingestPath: "per_agent" });
        expect(stackConfig("dev").agentLocations?.map(agentLocationName)).to.deep.equal(["SNOWFLAKE_INTELLIGENCE.AGENTS"]);
        expect(stackConfig("prod")).to.include({ ingestPath: "event_table" });
        expect(stackConfig("prod").agentLocations?.map(agentLocationName)).to.deep.equal(["SNOWFLAKE_INTELLIGENCE.AGENTS"]);
    });

    it("gives each stack's policy config the stack's agent locations", () => {
        for (const stack of fs.readdirSync(PROJECT_ROOT).map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1]).filter(Boolean) as string[]) {
            const policyConfig = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "policy", `config.${stack}.json`), "utf8"));
            expect(policyConfig["agent-grants-scoped"].agentLocations, stack)
                .to.deep.equal((stackConfig(stack).agentLocations ?? []).map(agentLocationName));
        }
    });
});

describe("agent-grants-scoped", () => {
    const rule = RULES.find((candidate) => candidate.name === "agent-grants-scoped")!;
    const dynamicGrant = (text: string): PolicySubject =>
        ({ type: GRANT_TYPE, name: "g", props: { grant: { file: "provider/grants/grant_on_future.sql", text: `-- why\n${text}` } } });
    const located = policyContext([VIEWER], { agentLocations: ["SALES_DB.AGENTS", "HR_DB"] });

    it("accepts MONITOR on all or future agents in a configured location, to the owner", () => {
        for (const text of [
            `GRANT MONITOR ON FUTURE AGENTS IN SCHEMA SALES_DB.AGENTS TO ROLE ${OWNER}`,
            `GRANT MONITOR ON ALL AGENTS IN DATABASE HR_DB TO ROLE ${OWNER}`,
            `GRANT MONITOR ON FUTURE AGENTS IN SCHEMA HR_DB.ANY TO ROLE ${OWNER}`,
            `GRANT MONITOR ON AGENT SALES_DB.AGENTS.SUPPORT TO ROLE ${OWNER}`,
        ]) {
            expect(rule.check(dynamicGrant(text), located), text).to.deep.equal([]);
        }
    });

    it("refuses another location, another privilege, the viewer, and account-wide reach", () => {
        expect(rule.check(dynamicGrant(`GRANT MONITOR ON FUTURE AGENTS IN SCHEMA FINANCE.AGENTS TO ROLE ${OWNER}`), located)).to.deep.equal([
            "grant (provider/grants/grant_on_future.sql): grants on FUTURE AGENTS IN SCHEMA FINANCE.AGENTS, outside the configured agent " +
            "locations (SALES_DB.AGENTS, HR_DB); add FINANCE.AGENTS to wallmonitor:agentLocations or remove the grant",
        ]);
        expect(rule.check(dynamicGrant(`GRANT MONITOR ON ALL AGENTS IN DATABASE SALES_DB TO ROLE ${OWNER}`), located)[0])
            .to.match(/outside the configured agent locations/);
        expect(rule.check(dynamicGrant(`GRANT USAGE, MONITOR ON ALL AGENTS IN DATABASE HR_DB TO ROLE ${OWNER}`), located)[0])
            .to.match(/grants USAGE on ALL AGENTS IN DATABASE HR_DB; Wallmonitor needs only MONITOR on agents$/);
        expect(rule.check(dynamicGrant(`GRANT MONITOR ON ALL AGENTS IN DATABASE HR_DB TO ROLE ${VIEWER}`), located)[0])
            .to.match(/to the viewer role WALLMONITOR_DEV_VIEWER$/);
        expect(rule.check(dynamicGrant(`GRANT MANAGE GRANTS ON ACCOUNT TO ROLE ${OWNER}`), located)[0])
            .to.match(/grants MANAGE GRANTS on the account to WALLMONITOR_DEV_OWNER, which reaches every agent/);
        expect(rule.check({ type: "snowflake:index/grantPrivilegesToAccountRole:GrantPrivilegesToAccountRole", name: "acct",
            props: { accountRoleName: OWNER, onAccount: true, privileges: ["MONITOR", "EXECUTE MANAGED TASK"] } }, located))
            .to.have.length(1);
        expect(rule.check({ type: "snowflake:index/grantPrivilegesToAccountRole:GrantPrivilegesToAccountRole", name: "acct",
            props: { accountRoleName: OWNER, onAccount: true, privileges: ["EXECUTE TASK", "EXECUTE MANAGED TASK"] } }, located))
            .to.deep.equal([]);
    });

    it("checks privilege and grantee only when the stack's locations are not known", () => {
        const unknown = policyContext([VIEWER]);
        expect(rule.check(dynamicGrant(`GRANT MONITOR ON FUTURE AGENTS IN SCHEMA FINANCE.AGENTS TO ROLE ${OWNER}`), unknown)).to.deep.equal([]);
        expect(rule.check(dynamicGrant(`GRANT MODIFY ON FUTURE AGENTS IN SCHEMA FINANCE.AGENTS TO ROLE ${OWNER}`), unknown)).to.have.length(1);
    });
});

describe("agent access in the dev stack's build", () => {
    let build: OfflineBuild;

    before(async () => {
        build = await buildOffline("dev");
    });

    it("grants MONITOR on all and future agents and USAGE in each agent location, as the admin role, to the owner role", () => {
        const grants = build.resources.filter((resource) => resource.type === GRANT_TYPE)
            .map((resource) => resource.inputs as Record<string, any>);
        expect(grants.every((grant) => grant.adminRole === "ACCOUNTADMIN" && grant.grantee === OWNER)).to.equal(true);
        expect(grants.map((grant) => `${grant.privilege} ON ${grant.on}`).sort()).to.deep.equal([
            "DATABASE ROLE ON SNOWFLAKE.CORTEX_USER",
            "DATABASE ROLE ON SNOWFLAKE.USAGE_VIEWER",
            "MONITOR ON ALL AGENTS IN SCHEMA SNOWFLAKE_INTELLIGENCE.AGENTS",
            "MONITOR ON FUTURE AGENTS IN SCHEMA SNOWFLAKE_INTELLIGENCE.AGENTS",
            "USAGE ON DATABASE SNOWFLAKE_INTELLIGENCE",
            "USAGE ON SCHEMA SNOWFLAKE_INTELLIGENCE.AGENTS",
        ]);
        expect(build.outputs.agentLocations).to.deep.equal(["SNOWFLAKE_INTELLIGENCE.AGENTS"]);
    });

    it("shows every grant in the plan's Grants table, and the policy pack passes", () => {
        const plan = renderPlan(build, { full: true });
        const table = plan.slice(plan.indexOf("## Grants"), plan.indexOf("## SQL"));
        for (const row of [
            `| ${OWNER} | FUTURE AGENTS IN SCHEMA SNOWFLAKE_INTELLIGENCE.AGENTS | MONITOR |`,
            `| ${OWNER} | ALL AGENTS IN SCHEMA SNOWFLAKE_INTELLIGENCE.AGENTS | MONITOR |`,
            `| ${OWNER} | DATABASE SNOWFLAKE_INTELLIGENCE | USAGE |`,
            `| ${OWNER} | SCHEMA SNOWFLAKE_INTELLIGENCE.AGENTS | USAGE |`,
            `| ${OWNER} | DATABASE ROLE SNOWFLAKE.CORTEX_USER | (role grant) |`,
            `| ${OWNER} | DATABASE ROLE SNOWFLAKE.USAGE_VIEWER | (role grant) |`,
        ]) {
            expect(table).to.include(row);
        }
        expect(checkBuild(build)).to.deep.equal([]);
    });

    it("fails the policy pack when an agent grant leaves the configured locations", async () => {
        const moved = await buildOffline("dev", { "wallmonitor:agentLocations": '["SALES_DB.AGENTS"]' });
        // The stack output moves with the config, so the pack checks against it: still clean.
        expect(checkBuild(moved)).to.deep.equal([]);
        const mismatched = { ...moved, outputs: { ...moved.outputs, agentLocations: ["SNOWFLAKE_INTELLIGENCE.AGENTS"] } };
        expect(checkBuild(mismatched).map((violation) => violation.policy)).to.include("agent-grants-scoped");
    });

    it("shows every procedure's statements in the plan, the alerting procedure's too", async () => {
        const alerting = await buildOffline("dev", { "wallmonitor:alertingEnabled": "true" });
        const plan = renderPlan(alerting, { full: true });
        expect(plan).to.include("### Procedure WALLMONITOR_DEV.WALLMONITOR.EVALUATE_ALERTS");
        expect(plan).to.match(/### Procedure statement \S+ \(EVALUATE_ALERTS\)/);
        expect(plan).to.match(/### Procedure statement insert_agent_events \(DISCOVER_AGENTS, REFRESH_AGENT_EVENTS, ROLLUP_AGENT_EVENTS\)/);
        expect(plan).to.match(/CREATE OR REPLACE PROCEDURE WALLMONITOR_DEV\.WALLMONITOR\.EVALUATE_ALERTS\( AS_OF TIMESTAMP_NTZ DEFAULT NULL \) .* EXECUTE AS OWNER AS \$\$ <\d+ lines of Python> \$\$/);
    });

    it("needs no Python-procedure preview feature any more", () => {
        expect(OWNER_PREVIEW_FEATURES).not.to.include("snowflake_procedure_python_resource");
        expect(build.resources.filter((resource) => resource.type.endsWith(":ProcedurePython"))).to.deep.equal([]);
    });
});

describe("stable-procedures-and-snowflake-role-grants", () => {
    const rule = RULES.find((candidate) => candidate.name === "stable-procedures-and-snowflake-role-grants")!;
    const context = policyContext([VIEWER]);

    it("refuses the Snowflake provider's procedures and its grants of SNOWFLAKE database roles, citing the provider", () => {
        expect(rule.check({ type: "snowflake:index/procedurePython:ProcedurePython", name: "p", props: { name: "P" } }, context)[0])
            .to.match(/^ProcedurePython p is dropped and recreated on any change .*procedure_python\.go.*provider\/procedure\.ts$/);
        expect(rule.check({ type: "snowflake:index/grantDatabaseRole:GrantDatabaseRole", name: "g",
            props: { databaseRoleName: '"SNOWFLAKE"."CORTEX_USER"', parentRoleName: OWNER } }, context)[0])
            .to.match(/grants SNOWFLAKE\.CORTEX_USER, .*issues 4338, 4284, 4469.*provider\/grant\.ts$/);
    });

    it("accepts other database roles and Wallmonitor's own resources", () => {
        expect(rule.check({ type: "snowflake:index/grantDatabaseRole:GrantDatabaseRole", name: "g",
            props: { databaseRoleName: '"WALLMONITOR"."READER"', parentRoleName: OWNER } }, context)).to.deep.equal([]);
        expect(rule.check({ type: "pulumi-nodejs:dynamic/wallmonitor:Procedure", name: "p", props: {} }, context)).to.deep.equal([]);
    });
});
