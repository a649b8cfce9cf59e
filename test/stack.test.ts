import { expect } from "chai";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { ResourceProvider } from "@pulumi/pulumi/dynamic";

import { buildSqlCatalog, DYNAMIC_TABLE_NAMES, RAW_EVENT_VIEWS, VIEW_NAMES } from "../lib/sql/catalog";
import { dynamicTableLagMinutes, parseConfig, WallmonitorConfig } from "../lib/config/stack";
import { COST_VIEW_NAMES, VIEWER_COST_VIEWS } from "../lib/sql/costCatalog";
import { buildOffline, OfflineBuild, PROJECT_ROOT, readStackConfig, RecordedResource } from "../plan/offline";
import { embeddedStatements, renderPlan } from "../plan/plan";
import { ADMIN_PREVIEW_FEATURES, OWNER_PREVIEW_FEATURES } from "../lib/pulumi/providers";
import { TABLES } from "../lib/sql/tables";
import { ACCESS_URL_ENV } from "../provider/connection";
import { procedureBody } from "../provider/procedure";
import { FakeSnowflake } from "./fakes/snowflakeServer";

const SNOWFLAKE = "snowflake:index/";
const byKind = (build: OfflineBuild, kind: string) =>
    build.resources.filter((resource) => resource.type === `${SNOWFLAKE}${kind[0].toLowerCase()}${kind.slice(1)}:${kind}`);
const inputs = (resource: RecordedResource) => resource.inputs as Record<string, any>;

function stackConfig(stack: string): WallmonitorConfig {
    const raw = readStackConfig(stack);
    return parseConfig({ get: (key) => raw[`wallmonitor:${key}`] });
}

/** Resources that should run as the owner role: everything inside the schema. */
const OWNER_KINDS = ["Schema", "Table", "View", "DynamicTable", "Task"];
const ADMIN_KINDS = ["AccountRole", "Database", "Warehouse", "GrantAccountRole"];
/** Wallmonitor's own procedure and grant resources (provider/procedure.ts, provider/grant.ts). */
const PROCEDURE_TYPE = "pulumi-nodejs:dynamic/wallmonitor:Procedure";
const GRANT_TYPE = "pulumi-nodejs:dynamic/wallmonitor:Grant";
/** The dashboard app's dynamic resources, by source. */
const APP_TYPES = { folder: "pulumi-nodejs:dynamic/wallmonitor:StreamlitFromFolder", git: "pulumi-nodejs:dynamic/wallmonitor:StreamlitFromGit" };
/** How Pulumi marks a secret value in resource inputs. */
const SECRET_SIGNATURE = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };
/** The loader the engine's dynamic-provider host uses on `__provider`. */
const requireFromString: (code: string) => { handler(): ResourceProvider } =
    require(require.resolve("require-from-string", { paths: [path.dirname(require.resolve("@pulumi/pulumi"))] }));

/** Objects whose rows are raw events: the viewer must get nothing on them. */
const RAW_OBJECTS = [...TABLES.map((table) => table.name), ...RAW_EVENT_VIEWS];

for (const stack of ["dev", "prod"]) {
    describe(`the ${stack} stack on the mock runtime`, () => {
        let build: OfflineBuild;
        let config: WallmonitorConfig;
        let providers: Record<"admin" | "owner", RecordedResource>;

        before(async () => {
            build = await buildOffline(stack);
            config = stackConfig(stack);
            const find = (role: string) => build.resources.find((resource) =>
                resource.type === "pulumi:providers:snowflake" && inputs(resource).role === role)!;
            providers = { admin: find(config.adminRole), owner: find(config.ownerRole) };
        });

        it("registers every component and resource without an error", () => {
            const components = build.resources.filter((resource) => resource.type.startsWith("wallmonitor:")).map((r) => r.type);
            expect(components.sort()).to.deep.equal([
                "wallmonitor:access:Access",
                "wallmonitor:app:DashboardApp",
                "wallmonitor:cost:Cost",
                "wallmonitor:dashboards:Dashboards",
                "wallmonitor:index:Wallmonitor",
                "wallmonitor:ingestion:Ingestion",
                "wallmonitor:observability:ObservabilityAccess",
                "wallmonitor:platform:Platform",
                "wallmonitor:storage:Storage",
            ]);
            expect(byKind(build, "Table").map((table) => inputs(table).name).sort())
                .to.deep.equal(TABLES.map((table) => table.name).sort());
            expect(byKind(build, "View").map((view) => inputs(view).name).sort()).to.deep.equal([...VIEW_NAMES, ...COST_VIEW_NAMES].sort());
            expect(byKind(build, "DynamicTable").map((table) => inputs(table).name).sort()).to.deep.equal([...DYNAMIC_TABLE_NAMES].sort());
        });

        it("creates the database and warehouse only when configured to", () => {
            expect(byKind(build, "Database")).to.have.length(config.createDatabase ? 1 : 0);
            expect(byKind(build, "Warehouse")).to.have.length(config.createWarehouse ? 1 : 0);
        });

        it("gives each role's provider exactly the preview features it uses", () => {
            expect(inputs(providers.admin).previewFeaturesEnabled).to.equal(JSON.stringify(ADMIN_PREVIEW_FEATURES));
            expect(inputs(providers.owner).previewFeaturesEnabled).to.equal(JSON.stringify(OWNER_PREVIEW_FEATURES));
        });

        it("declares every Snowflake resource on the explicit provider of its role", () => {
            const providerOf = (resource: RecordedResource) =>
                Object.entries(providers).find(([, provider]) => resource.provider?.includes(`::${provider.name}::`))?.[0];
            for (const resource of build.resources.filter((candidate) => candidate.type.startsWith(SNOWFLAKE))) {
                const kind = resource.type.split(":")[2];
                const expected = OWNER_KINDS.includes(kind) || (kind === "GrantPrivilegesToAccountRole" &&
                    (inputs(resource).onSchema || inputs(resource).onSchemaObject)) ? "owner" : "admin";
                expect(providerOf(resource), `${resource.name}`).to.equal(expected);
                if (expected === "admin" && kind !== "GrantPrivilegesToAccountRole") {
                    expect(ADMIN_KINDS, kind).to.include(kind);
                }
            }
        });

        it("names every Snowflake object explicitly in UPPERCASE", () => {
            for (const resource of build.resources.filter((candidate) => candidate.type.startsWith(SNOWFLAKE))) {
                for (const key of ["name", "database", "schema", "accountRoleName", "roleName", "parentRoleName"]) {
                    const value = inputs(resource)[key];
                    if (value !== undefined) {
                        expect(value, `${resource.name}.${key}`).to.match(/^[A-Z_][A-Z0-9_$]*$/);
                    }
                }
                const hasName = ["Grant", "Provider"].some((prefix) => resource.type.split(":")[2].startsWith(prefix));
                if (!hasName) {
                    expect(inputs(resource).name, resource.name).to.be.a("string");
                }
            }
        });

        it("names children from their component's name", () => {
            const components = build.resources.filter((resource) => resource.type.startsWith("wallmonitor:"));
            for (const resource of build.resources.filter((candidate) => candidate.type.startsWith(SNOWFLAKE))) {
                expect(components.some((component) => resource.name.startsWith(`${component.name}-`)), resource.name).to.equal(true);
            }
        });

        it("grants the viewer role only USAGE and SELECT, and nothing on raw events", () => {
            const viewerGrants = byKind(build, "GrantPrivilegesToAccountRole")
                .filter((grant) => inputs(grant).accountRoleName === config.viewerRole);
            expect(viewerGrants).to.not.be.empty;
            for (const grant of viewerGrants) {
                const { privileges, onAccount, onSchemaObject } = inputs(grant);
                expect(onAccount, grant.name).to.equal(undefined);
                expect(privileges.every((privilege: string) => ["USAGE", "SELECT"].includes(privilege)), grant.name).to.equal(true);
                const object = JSON.stringify(onSchemaObject ?? {});
                for (const raw of RAW_OBJECTS) {
                    expect(object, grant.name).not.to.include(`"${raw}"`);
                }
                if (onSchemaObject?.all || onSchemaObject?.future) {
                    expect((onSchemaObject.all ?? onSchemaObject.future).objectTypePlural).to.equal("DYNAMIC TABLES");
                }
            }
            const granted = viewerGrants.map((grant) => inputs(grant).onSchemaObject?.objectName).filter(Boolean);
            expect(granted).to.have.length(VIEW_NAMES.length - RAW_EVENT_VIEWS.length + VIEWER_COST_VIEWS.length);
            expect(byKind(build, "GrantAccountRole").filter((grant) => inputs(grant).parentRoleName === config.viewerRole)).to.deep.equal([]);
            expect(build.resources.filter((resource) => resource.type === GRANT_TYPE && inputs(resource).grantee === config.viewerRole))
                .to.deep.equal([]);
        });

        it("gives the owner role what ingestion needs", () => {
            const ownerGrants = byKind(build, "GrantPrivilegesToAccountRole")
                .filter((grant) => inputs(grant).accountRoleName === config.ownerRole);
            const onAccount = ownerGrants.find((grant) => inputs(grant).onAccount);
            expect(inputs(onAccount!).privileges).to.deep.equal(["EXECUTE TASK", "EXECUTE MANAGED TASK"]);
            const cortex = build.resources.find((resource) => resource.type === GRANT_TYPE && inputs(resource).on === "SNOWFLAKE.CORTEX_USER");
            expect(inputs(cortex!)).to.include({ grantee: config.ownerRole, adminRole: config.adminRole, privilege: "DATABASE ROLE" });
            const database = ownerGrants.find((grant) => inputs(grant).onAccountObject?.objectType === "DATABASE");
            expect(inputs(database!).privileges).to.include("CREATE SCHEMA");
            // People reach the viewer role through parentRole; the owner role (raw events of every agent) goes to the deploy user only.
            const grantees = byKind(build, "GrantAccountRole")
                .map((grant) => [inputs(grant).roleName, inputs(grant).parentRoleName ?? `USER ${inputs(grant).userName}`]);
            expect(grantees).to.deep.include.members([[config.ownerRole, `USER ${build.config!["snowflake:user"]}`],
                [config.viewerRole, config.parentRole]]);
            expect(grantees.filter(([role, grantee]) => role === config.ownerRole && !String(grantee).startsWith("USER "))).to.deep.equal([]);
        });

        it("runs ingestion as a started serverless task on the configured schedule", () => {
            const [refresh] = byKind(build, "Task").filter((task) => inputs(task).name === "REFRESH_AGENT_EVENTS_TASK");
            expect(inputs(refresh).warehouse).to.equal(undefined);
            expect(inputs(refresh).userTaskManagedInitialWarehouseSize).to.equal(config.taskSize);
            expect(inputs(refresh).schedule).to.deep.equal({ minutes: config.refreshIntervalMinutes });
            expect(inputs(refresh).started).to.equal(true);
            expect(inputs(refresh).suspendTaskAfterNumFailures).to.equal(config.suspendTaskAfterFailures);
            expect(inputs(refresh).sqlStatement).to.match(
                new RegExp(`CALL ${config.database}\\.${config.schema}\\.REFRESH_AGENT_EVENTS\\(${config.initialLookbackHours}, ${config.historyDays}, '${config.ingestPath}'\\)$`));
            const [rollup] = byKind(build, "Task").filter((task) => inputs(task).name === "ROLLUP_AGENT_EVENTS_TASK");
            expect(inputs(rollup).afters).to.deep.equal([`"${config.database}"."${config.schema}"."REFRESH_AGENT_EVENTS_TASK"`]);
            expect(inputs(rollup).warehouse).to.equal(undefined);
            expect(inputs(rollup).started).to.equal(true);
            expect(inputs(rollup).sqlStatement).to.match(
                new RegExp(`CALL ${config.database}\\.${config.schema}\\.ROLLUP_AGENT_EVENTS\\(${config.historyDays}, ${config.rollupRetentionDays}\\)$`));
            const [discover] = byKind(build, "Task").filter((task) => inputs(task).name === "DISCOVER_AGENTS_TASK");
            expect(inputs(discover).afters).to.deep.equal([`"${config.database}"."${config.schema}"."REFRESH_AGENT_EVENTS_TASK"`]);
            expect(inputs(discover).warehouse).to.equal(undefined);
            expect(inputs(discover).started).to.equal(true);
        });

        it("declares the dashboard app from the configured source, owned by the owner role and opened to the viewer role", () => {
            const apps = build.resources.filter((resource) => Object.values(APP_TYPES).includes(resource.type));
            expect(apps.map((app) => app.type)).to.deep.equal([APP_TYPES[config.dashboardSource]]);
            const app = inputs(apps[0]);
            const name = `${config.database}.${config.schema}.WALLMONITOR_DASHBOARD`;
            expect(apps[0].name).to.equal(`wallmonitor-${stack}-dashboard-app-wallmonitor-dashboard`);
            expect(app.ownerRole).to.equal(config.ownerRole);
            expect(app.app.name).to.equal(name);
            expect(app.app.grantUsage.text).to.match(new RegExp(`\nGRANT USAGE ON STREAMLIT ${name} TO ROLE ${config.viewerRole}$`));
            expect(app.app.create.text).to.include(`QUERY_WAREHOUSE = ${config.warehouse}`).and.to.include("MAIN_FILE = 'streamlit_app.py'");
            expect(build.outputs.dashboard).to.deep.include({ app: name });
            if (config.dashboardSource === "git") {
                expect(app.app.create.text).to.include(`FROM '@${config.database}.${config.schema}.WALLMONITOR_GIT_REPOSITORY/${config.gitRef}/${config.gitAppPath}'`);
                expect((build.outputs.dashboard as Record<string, unknown>).source).to.deep.include({ kind: "git", ref: config.gitRef });
            } else {
                expect(app.app.create.text).to.include(`FROM '@${config.database}.${config.schema}.WALLMONITOR_STREAMLIT_STAGE/WALLMONITOR_DASHBOARD'`);
                expect((build.outputs.dashboard as Record<string, unknown>).source).to.deep.include({ kind: "folder", files: app.files });
            }
        });

        it("serializes the app's provider so that the engine can load it, and it finds nothing to change in its own inputs", async () => {
            const app = build.resources.find((resource) => Object.values(APP_TYPES).includes(resource.type))!;
            const { __provider: code, ...appInputs } = app.inputs;
            const provider = requireFromString(code as string).handler();
            expect(await provider.diff!("id", { ...appInputs, urlId: null }, appInputs)).to.deep.equal({ changes: false, replaces: [] });
        });

        it("deploys the SQL rendered from sql/ and nothing else", () => {
            const catalog = buildSqlCatalog(config);
            const views = { ...catalog.views, ...catalog.cost };
            for (const view of byKind(build, "View")) {
                expect(inputs(view).statement).to.equal(views[inputs(view).name as keyof typeof views].text);
            }
            for (const table of byKind(build, "DynamicTable")) {
                const expected = catalog.dynamicTables[inputs(table).name as keyof typeof catalog.dynamicTables];
                expect(inputs(table).query).to.equal(expected.text);
                expect(inputs(table).refreshMode).to.equal(expected.refreshMode);
                expect(inputs(table).targetLag).to.deep.equal({ maximumDuration: `${dynamicTableLagMinutes(config, expected.refreshMode)} minutes` });
            }
            const statements = Object.fromEntries(Object.entries(catalog.procedureStatements).map(([key, sql]) => [key, sql.text]));
            const procedures = build.resources.filter((resource) => resource.type === PROCEDURE_TYPE);
            expect(procedures).to.have.length(3);
            for (const procedure of procedures) {
                expect(inputs(procedure).ownerRole).to.equal(config.ownerRole);
                expect(inputs(procedure).create.text).to.match(/^CREATE OR REPLACE PROCEDURE /m).and.to.match(/\bEXECUTE AS OWNER\b/);
                expect(embeddedStatements(procedureBody(inputs(procedure).create.text))).to.deep.equal(statements);
            }
        });
    });
}

describe("fullRefreshTargetLagMinutes", () => {
    it("gives prod's FULL dynamic table its own target lag and leaves the incremental ones on dynamicTableTargetLagMinutes", async () => {
        const build = await buildOffline("prod");
        const lags = Object.fromEntries(byKind(build, "DynamicTable").map((table) =>
            [inputs(table).name, `${inputs(table).refreshMode} ${inputs(table).targetLag.maximumDuration}`]));
        expect(lags.DT_AGENT_METRICS_RECENT).to.equal("FULL 240 minutes");
        expect(lags.DT_THREAD_ACTIVITY_RECENT).to.equal("INCREMENTAL 30 minutes");
        expect(lags.DT_AGENT_MONTHLY_LATENCY).to.equal("INCREMENTAL 30 minutes");
    });
});

describe("credentials", () => {
    const PRIVATE_KEY = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----";

    it("reach the providers only as Pulumi secrets and never the plan", async () => {
        const build = await buildOffline("dev", { "snowflake:privateKey": PRIVATE_KEY }, ["snowflake:privateKey"]);
        const providers = build.resources.filter((resource) => resource.type === "pulumi:providers:snowflake");
        expect(providers).to.have.length(2);
        for (const provider of providers) {
            const key = inputs(provider).privateKey;
            expect(key, provider.name).to.have.property("4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270");
        }
        const plain = build.resources.filter((resource) => resource.type !== "pulumi:providers:snowflake");
        expect(JSON.stringify(plain.map((resource) => resource.inputs))).not.to.include("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7");
        expect(renderPlan(build, { full: true })).not.to.include("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7");
    });

    it("are not in the committed stack files", () => {
        for (const stack of ["dev", "prod"]) {
            const keys = Object.keys(readStackConfig(stack));
            expect(keys.filter((key) => /password|privateKey|token|secret/i.test(key)), stack).to.deep.equal([]);
        }
    });
});

describe("the Git dashboard's token", () => {
    const TOKEN = "ghp_StackTestToken0123456789abcdefWALLMONITOR";

    it("reaches the app only as a Pulumi secret: never the serialized provider, the other inputs, the outputs or the plan", async () => {
        const build = await buildOffline("prod", { "wallmonitor:gitToken": TOKEN }, ["wallmonitor:gitToken"]);
        const app = build.resources.find((resource) => resource.type === APP_TYPES.git)!;
        const { gitToken, __provider: code, ...rest } = app.inputs;
        expect(gitToken).to.deep.equal({ ...SECRET_SIGNATURE, value: TOKEN });
        expect(code).to.be.a("string").and.not.include(TOKEN);
        expect(JSON.stringify(rest)).not.to.include(TOKEN);
        expect(inputs(app).secret.create.text).to.match(/PASSWORD = \?\n/);
        expect(JSON.stringify(build.outputs)).not.to.include(TOKEN);
        expect(renderPlan(build, { full: true })).not.to.include(TOKEN);
        // The engine hands the provider the plain value; its check accepts it.
        const provider = requireFromString(code as string).handler();
        expect(await provider.check!({}, { ...rest, gitToken: TOKEN })).to.deep.equal({ inputs: { ...rest, gitToken: TOKEN } });
    });

    it("fails the preview when the token comes without its user name", async () => {
        let error: unknown;
        try {
            await buildOffline("prod", { "wallmonitor:gitToken": TOKEN, "wallmonitor:gitUsername": "" }, ["wallmonitor:gitToken"]);
        } catch (caught) {
            error = caught;
        }
        expect((error as Error).message).to.match(/wallmonitor:gitUsername: is required with wallmonitor:gitToken/);
        expect((error as Error).message).not.to.include(TOKEN);
    });
});

describe("the dev dashboard app, loaded as the engine loads it", () => {
    it("uploads whatever the repository's streamlit/ folder holds, file by file, through the driver's PUT", async () => {
        const build = await buildOffline("dev");
        const app = build.resources.find((resource) => resource.type === APP_TYPES.folder)!;
        const { __provider: code, ...appInputs } = app.inputs as Record<string, any>;
        const fake = await FakeSnowflake.start();
        const umask = process.umask();
        try {
            fake.addUser("WALLMONITOR_DEPLOY", { password: "dev password" });
            process.env[ACCESS_URL_ENV] = fake.url;
            const provider = requireFromString(code as string).handler();
            const config: Record<string, string> = {
                "snowflake:organizationName": "ACME", "snowflake:accountName": "ANALYTICS_DEV",
                "snowflake:user": "WALLMONITOR_DEPLOY", "snowflake:password": "dev password",
            };
            await provider.configure!({ config: { get: (key) => config[key], require: (key) => config[key] } });
            expect(await provider.check!({}, appInputs)).to.deep.equal({ inputs: appInputs });
            await provider.create(appInputs);
            // Byte for byte: the hash of each staged copy is the hash the preview showed.
            const stagedFiles = Object.keys(fake.stagedFiles(appInputs.stage.name)).sort();
            expect(stagedFiles).to.deep.equal(Object.keys(appInputs.files).map((file) => `WALLMONITOR_DASHBOARD/${file}`).sort());
            for (const file of Object.keys(appInputs.files)) {
                const copy = fs.readFileSync(path.join(fake.stageRoot, appInputs.stage.name, "WALLMONITOR_DASHBOARD", ...file.split("/")));
                expect(crypto.createHash("sha256").update(copy).digest("hex"), file).to.equal(appInputs.files[file]);
            }
        } finally {
            delete process.env[ACCESS_URL_ENV];
            process.umask(umask);
            await fake.stop();
        }
    });
});

describe("the offline plan", () => {
    it("is deterministic and lists objects, grants and SQL", async () => {
        const first = renderPlan(await buildOffline("dev"), { full: true });
        const second = renderPlan(await buildOffline("dev"), { full: true });
        expect(first).to.equal(second);
        expect(first, "machine paths make the plan differ between checkouts").not.to.include(PROJECT_ROOT);
        expect(first).to.include("## Objects by component");
        expect(first).to.include("| WALLMONITOR_DEV_VIEWER | VIEW \"WALLMONITOR_DEV\".\"WALLMONITOR\".\"THREAD_ACTIVITY\" | SELECT |");
        expect(first).to.include("### DynamicTable WALLMONITOR_DEV.WALLMONITOR.DT_AGENT_METRICS_RECENT (refresh FULL)");
        expect(first).to.include("### Procedure statement insert_agent_events (DISCOVER_AGENTS, REFRESH_AGENT_EVENTS, ROLLUP_AGENT_EVENTS)");
        expect(first).to.include("### Task WALLMONITOR_DEV.WALLMONITOR.REFRESH_AGENT_EVENTS_TASK");
    });
});
