import { expect } from "chai";

import { buildSqlCatalog, RAW_EVENT_VIEWS, VIEW_NAMES } from "../lib/catalog";
import { parseConfig, WallmonitorConfig } from "../lib/config";
import { buildOffline, OfflineBuild, readStackConfig, RecordedResource } from "../lib/offline";
import { embeddedStatements, renderPlan } from "../lib/plan";
import { ADMIN_PREVIEW_FEATURES, OWNER_PREVIEW_FEATURES } from "../lib/providers";
import { TABLES } from "../lib/tables";

const SNOWFLAKE = "snowflake:index/";
const byKind = (build: OfflineBuild, kind: string) =>
    build.resources.filter((resource) => resource.type === `${SNOWFLAKE}${kind[0].toLowerCase()}${kind.slice(1)}:${kind}`);
const inputs = (resource: RecordedResource) => resource.inputs as Record<string, any>;

function stackConfig(stack: string): WallmonitorConfig {
    const raw = readStackConfig(stack);
    return parseConfig({ get: (key) => raw[`wallmonitor:${key}`] });
}

/** Resources that should run as the owner role: everything inside the schema. */
const OWNER_KINDS = ["Schema", "Table", "View", "DynamicTable", "ProcedurePython", "Task"];
const ADMIN_KINDS = ["AccountRole", "Database", "Warehouse", "GrantAccountRole", "GrantDatabaseRole"];
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
                "wallmonitor:dashboards:Dashboards",
                "wallmonitor:index:Wallmonitor",
                "wallmonitor:ingestion:Ingestion",
                "wallmonitor:observability:ObservabilityAccess",
                "wallmonitor:platform:Platform",
                "wallmonitor:storage:Storage",
            ]);
            expect(byKind(build, "Table").map((table) => inputs(table).name).sort())
                .to.deep.equal(TABLES.map((table) => table.name).sort());
            expect(byKind(build, "View").map((view) => inputs(view).name).sort()).to.deep.equal([...VIEW_NAMES].sort());
            expect(byKind(build, "DynamicTable")).to.have.length(3);
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
            expect(granted).to.have.length(VIEW_NAMES.length - RAW_EVENT_VIEWS.length);
            const roleGrants = [...byKind(build, "GrantAccountRole"), ...byKind(build, "GrantDatabaseRole")];
            expect(roleGrants.filter((grant) => inputs(grant).parentRoleName === config.viewerRole)).to.deep.equal([]);
        });

        it("gives the owner role what ingestion needs", () => {
            const ownerGrants = byKind(build, "GrantPrivilegesToAccountRole")
                .filter((grant) => inputs(grant).accountRoleName === config.ownerRole);
            const onAccount = ownerGrants.find((grant) => inputs(grant).onAccount);
            expect(inputs(onAccount!).privileges).to.deep.equal(["EXECUTE MANAGED TASK"]);
            const cortex = byKind(build, "GrantDatabaseRole").find((grant) => inputs(grant).parentRoleName === config.ownerRole);
            expect(inputs(cortex!).databaseRoleName).to.equal('"SNOWFLAKE"."CORTEX_USER"');
            const database = ownerGrants.find((grant) => inputs(grant).onAccountObject?.objectType === "DATABASE");
            expect(inputs(database!).privileges).to.include("CREATE SCHEMA");
            const parents = byKind(build, "GrantAccountRole").map((grant) => [inputs(grant).roleName, inputs(grant).parentRoleName]);
            expect(parents).to.deep.include.members([[config.ownerRole, config.parentRole], [config.viewerRole, config.parentRole]]);
        });

        it("runs ingestion as a started serverless task on the configured schedule", () => {
            const [refresh] = byKind(build, "Task").filter((task) => inputs(task).name === "REFRESH_AGENT_EVENTS_TASK");
            expect(inputs(refresh).warehouse).to.equal(undefined);
            expect(inputs(refresh).userTaskManagedInitialWarehouseSize).to.equal(config.taskSize);
            expect(inputs(refresh).schedule).to.deep.equal({ minutes: config.refreshIntervalMinutes });
            expect(inputs(refresh).started).to.equal(true);
            expect(inputs(refresh).suspendTaskAfterNumFailures).to.equal(config.suspendTaskAfterFailures);
            expect(inputs(refresh).sqlStatement).to.match(
                new RegExp(`CALL ${config.database}\\.${config.schema}\\.REFRESH_AGENT_EVENTS\\(${config.initialLookbackHours}, ${config.historyDays}\\)$`));
            const [discover] = byKind(build, "Task").filter((task) => inputs(task).name === "DISCOVER_AGENTS_TASK");
            expect(inputs(discover).afters).to.deep.equal([`"${config.database}"."${config.schema}"."REFRESH_AGENT_EVENTS_TASK"`]);
            expect(inputs(discover).warehouse).to.equal(undefined);
            expect(inputs(discover).started).to.equal(true);
        });

        it("deploys the SQL rendered from sql/ and nothing else", () => {
            const catalog = buildSqlCatalog(config);
            for (const view of byKind(build, "View")) {
                expect(inputs(view).statement).to.equal(catalog.views[inputs(view).name as keyof typeof catalog.views].text);
            }
            for (const table of byKind(build, "DynamicTable")) {
                const expected = catalog.dynamicTables[inputs(table).name as keyof typeof catalog.dynamicTables];
                expect(inputs(table).query).to.equal(expected.text);
                expect(inputs(table).refreshMode).to.equal(expected.refreshMode);
                expect(inputs(table).targetLag).to.deep.equal({ maximumDuration: `${config.dynamicTableTargetLagMinutes} minutes` });
            }
            const statements = Object.fromEntries(Object.entries(catalog.procedureStatements).map(([key, sql]) => [key, sql.text]));
            for (const procedure of byKind(build, "ProcedurePython")) {
                expect(inputs(procedure).executeAs).to.equal("OWNER");
                expect(embeddedStatements(inputs(procedure).procedureDefinition)).to.deep.equal(statements);
            }
        });
    });
}

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
        expect(renderPlan(build)).not.to.include("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7");
    });

    it("are not in the committed stack files", () => {
        for (const stack of ["dev", "prod"]) {
            const keys = Object.keys(readStackConfig(stack));
            expect(keys.filter((key) => /password|privateKey|token|secret/i.test(key)), stack).to.deep.equal([]);
        }
    });
});

describe("the offline plan", () => {
    it("is deterministic and lists objects, grants and SQL", async () => {
        const first = renderPlan(await buildOffline("dev"));
        const second = renderPlan(await buildOffline("dev"));
        expect(first).to.equal(second);
        expect(first).to.include("## Objects by component");
        expect(first).to.include("| WALLMONITOR_DEV_VIEWER | VIEW \"WALLMONITOR_DEV\".\"WALLMONITOR\".\"THREAD_ACTIVITY\" | SELECT |");
        expect(first).to.include("### DynamicTable WALLMONITOR_DEV.WALLMONITOR.DT_AGENT_METRICS_RECENT (refresh FULL)");
        expect(first).to.include("### Procedure statement insert_agent_events");
        expect(first).to.include("### Task WALLMONITOR_DEV.WALLMONITOR.REFRESH_AGENT_EVENTS_TASK");
    });
});
