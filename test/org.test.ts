import { expect } from "chai";

import { ConfigError, parseConfig } from "../lib/config/stack";
import { buildOffline, OfflineBuild, PROJECT_ROOT, readStackConfig, RecordedResource } from "../plan/offline";
import { ORG_SHARE_SCHEMA } from "../lib/config/org";
import { PRIVATE_HISTORY_COLUMNS, SHARED_ROLLUP_VIEWS, unionAll } from "../lib/sql/orgCatalog";
import { ROLLUP_TABLES } from "../lib/sql/tables";
import { SHARE_PREVIEW_FEATURES } from "../components/sharing";

const SNOWFLAKE = "snowflake:index/";
const byKind = (build: OfflineBuild, kind: string) =>
    build.resources.filter((resource) => resource.type === `${SNOWFLAKE}${kind[0].toLowerCase()}${kind.slice(1)}:${kind}`);
const inputs = (resource: RecordedResource) => resource.inputs as Record<string, any>;
const components = (build: OfflineBuild) => build.resources.filter((resource) => resource.type.startsWith("wallmonitor:org:"));
/** The daily rollup tables and the rollup views over them: what every account shares and the central one unifies. */
const ROLLUP_NAMES = [...ROLLUP_TABLES, ...SHARED_ROLLUP_VIEWS].map((source) => source.name).sort();

function parse(values: Record<string, string>) {
    return parseConfig({ get: (key) => values[key] });
}

/** Grants to the share, as `PRIVILEGE ON <object>`. */
function shareGrants(build: OfflineBuild): string[] {
    return byKind(build, "GrantPrivilegesToShare").map((grant) => {
        const on = inputs(grant).onDatabase ?? inputs(grant).onSchema ?? inputs(grant).onView ?? inputs(grant).onTable;
        return `${inputs(grant).privileges.join(",")} ON ${on} TO ${inputs(grant).toShare}`;
    }).sort();
}

describe("organisation config", () => {
    const member = { accountRole: "member", orgConsumerAccounts: '["ACME.CENTRAL"]' };

    it("is standalone by default and reads the roles in any case", () => {
        expect(parse({}).accountRole).to.equal("standalone");
        expect(parse({ ...member, accountRole: "MEMBER" }).accountRole).to.equal("member");
    });

    it("parses consumers and members, by account or by stack", () => {
        expect(parse({ ...member, orgConsumerAccounts: '["ACME.CENTRAL", {"account": "ACME.AUDIT", "region": "AWS_EU_WEST_1"}]',
            orgRegion: "AWS_EU_WEST_1" }).orgConsumerAccounts).to.deep.equal([
            { organization: "ACME", account: "CENTRAL", region: undefined },
            { organization: "ACME", account: "AUDIT", region: "AWS_EU_WEST_1" },
        ]);
        expect(parse({ accountRole: "central",
            orgMembers: '[{"name": "EU", "organization": "ACME", "account": "ANALYTICS_EU"}, {"name": "US", "stack": "acme/wallmonitor/member-us"}]',
        }).orgMembers).to.deep.equal([
            { name: "EU", kind: "config", organization: "ACME", account: "ANALYTICS_EU", share: "WALLMONITOR_ORG_SHARE", region: undefined },
            { name: "US", kind: "stack", stack: "acme/wallmonitor/member-us" },
        ]);
    });

    const bad: [string, Record<string, string>, RegExp][] = [
        ["an unknown role", { accountRole: "leader" }, /accountRole: "leader" is not one of .*standalone, member, central/],
        ["a member without consumers", { accountRole: "member" }, /orgConsumerAccounts: is required for a member/],
        ["a consumer given by locator", { ...member, orgConsumerAccounts: '["XY12345"]' }, /must be ORGANIZATION.ACCOUNT_NAME/],
        ["consumers that are not JSON", { ...member, orgConsumerAccounts: "ACME.CENTRAL" }, /orgConsumerAccounts: is not valid JSON/],
        ["a central stack without members", { accountRole: "central" }, /orgMembers: is required for a central stack/],
        ["members set on a standalone stack", { orgMembers: "[]" }, /orgMembers: is read only by a central stack.*accountRole is standalone/],
        ["history sharing on a central stack", { accountRole: "central", orgMembers: "[]", orgShareRecentHistory: "true" },
            /orgShareRecentHistory: is read only by a member stack/],
        ["a member named twice", { accountRole: "central",
            orgMembers: '[{"name": "EU", "organization": "A", "account": "B"}, {"name": "EU", "stack": "a/b/c"}]' }, /EU is used twice/],
        ["a member name that is no identifier", { accountRole: "central",
            orgMembers: '[{"name": "eu-1", "organization": "A", "account": "B"}]' }, /member name "eu-1" is not an unquoted UPPERCASE/],
        ["a listing member with an account", { accountRole: "central",
            orgMembers: '[{"name": "US", "via": "listing", "account": "B"}]' }, /fields account that do not belong with a listing/],
        ["an unknown way to reach a member", { accountRole: "central",
            orgMembers: '[{"name": "US", "via": "replica", "organization": "A", "account": "B"}]' }, /via "replica" is neither "share"/],
        ["a member with a stray field", { accountRole: "central",
            orgMembers: '[{"name": "EU", "stack": "a/b/c", "account": "B"}]' }, /fields account that do not belong with a stack reference/],
        ["a member database that is Wallmonitor's own", { accountRole: "central", database: "WALLMONITOR_ORG_EU",
            orgMembers: '[{"name": "EU", "organization": "A", "account": "B"}]' }, /orgDatabasePrefix: makes member EU's database WALLMONITOR_ORG_EU/],
    ];
    for (const [what, values, message] of bad) {
        it(`refuses ${what}`, () => {
            expect(() => parse(values)).to.throw(ConfigError, message);
        });
    }

    it("refuses a cross-region member or consumer with the way to do it instead", () => {
        const central = { accountRole: "central", orgRegion: "AWS_EU_WEST_1",
            orgMembers: '[{"name": "US", "organization": "ACME", "account": "ANALYTICS_US", "region": "AWS_US_WEST_2"}]' };
        expect(() => parse(central)).to.throw(ConfigError,
            /orgMembers: member US is in AWS_US_WEST_2 but this account is in AWS_EU_WEST_1: a direct share cannot cross regions. Publish .* listing/);
        expect(() => parse({ ...central, orgRegion: "" })).to.throw(ConfigError, /orgRegion: is needed because orgMembers gives member US the region/);
        expect(() => parse({ ...member, orgRegion: "AWS_EU_WEST_1",
            orgConsumerAccounts: '[{"account": "ACME.CENTRAL", "region": "AZURE_WESTEUROPE"}]' }))
            .to.throw(ConfigError, /consumer ACME.CENTRAL is in AZURE_WESTEUROPE but this account is in AWS_EU_WEST_1/);
    });

    it("fails a cross-region member before any resource is declared", async () => {
        let error: unknown;
        await buildOffline("central", { "wallmonitor:orgRegion": "AWS_US_WEST_2" }).catch((caught) => (error = caught));
        expect(error).to.be.instanceOf(ConfigError);
        expect((error as Error).message).to.match(/member EU is in AWS_EU_WEST_1 but this account is in AWS_US_WEST_2/);
    });

    it("needs the account's organisation and name for SOURCE_ACCOUNT", async () => {
        let error: unknown;
        await buildOffline("member-eu", { "snowflake:organizationName": "" }).catch((caught) => (error = caught));
        expect((error as Error).message).to.match(/accountRole: member needs snowflake:organizationName and snowflake:accountName/);
    });
});

describe("UNION ALL of rendered branches", () => {
    it("joins whole branches in order and keeps every source file once", () => {
        const joined = unionAll([
            { text: "SELECT 1 AS A\n", files: ["org/x.sql"], binds: [] },
            { text: "  SELECT 2 AS A", files: ["org/x.sql", "org/y.sql"], binds: [] },
        ]);
        expect(joined.text).to.equal("SELECT 1 AS A\nUNION ALL\nSELECT 2 AS A");
        expect(joined.files).to.deep.equal(["org/x.sql", "org/y.sql"]);
        expect(unionAll([{ text: "SELECT 1", files: [], binds: [] }]).text).to.equal("SELECT 1");
        expect(() => unionAll([])).to.throw(/at least one branch/);
    });
});

describe("the standalone dev stack", () => {
    it("shares nothing and reads no share", async () => {
        const build = await buildOffline("dev");
        expect(components(build)).to.deep.equal([]);
        for (const kind of ["Share", "GrantPrivilegesToShare", "SharedDatabase"]) {
            expect(byKind(build, kind), kind).to.deep.equal([]);
        }
        expect(build.outputs.accountRole).to.equal("standalone");
        expect(build.outputs.orgShare).to.equal(undefined);
    });
});

for (const stack of ["member-eu", "member-apps"]) {
    describe(`the ${stack} member stack on the mock runtime`, () => {
        let build: OfflineBuild;
        let raw: Record<string, string>;
        let database: string;
        let source: string;
        let sharedViews: RecordedResource[];

        before(async () => {
            build = await buildOffline(stack);
            raw = readStackConfig(stack);
            database = raw["wallmonitor:database"];
            source = `${raw["snowflake:organizationName"]}.${raw["snowflake:accountName"]}`;
            sharedViews = byKind(build, "View").filter((view) => inputs(view).schema === ORG_SHARE_SCHEMA);
        });

        const historyShared = () => raw["wallmonitor:orgShareRecentHistory"] === "true";
        const expectedViews = () => [...ROLLUP_NAMES, ...(historyShared() ? ["AGENT_EVENTS_HISTORY"] : [])].sort();

        it("declares one MemberShare and a share added to the central account", () => {
            expect(components(build).map((component) => component.type)).to.deep.equal(["wallmonitor:org:MemberShare"]);
            const [share] = byKind(build, "Share");
            expect(inputs(share).name).to.equal("WALLMONITOR_ORG_SHARE");
            expect(inputs(share).accounts).to.deep.equal(["ACME.CENTRAL"]);
        });

        it("shares exactly the allowed objects: the database, the shared schema and its secure views", () => {
            const quoted = (...parts: string[]) => parts.map((part) => `"${part}"`).join(".");
            expect(shareGrants(build)).to.deep.equal([
                ...expectedViews().map((view) => `SELECT ON ${quoted(database, ORG_SHARE_SCHEMA, view)} TO WALLMONITOR_ORG_SHARE`),
                `USAGE ON ${quoted(database)} TO WALLMONITOR_ORG_SHARE`,
                `USAGE ON ${quoted(database, ORG_SHARE_SCHEMA)} TO WALLMONITOR_ORG_SHARE`,
            ].sort());
            expect(sharedViews.map((view) => inputs(view).name).sort()).to.deep.equal(expectedViews());
        });

        it("tags every shared row with SOURCE_ACCOUNT through secure views over the table of the same name", () => {
            for (const view of sharedViews) {
                const statement: string = inputs(view).statement;
                expect(inputs(view).isSecure, inputs(view).name).to.equal("true");
                expect(statement).to.include(`SELECT '${source}' AS SOURCE_ACCOUNT, `);
                expect(statement).to.match(new RegExp(`FROM ${database}\\.WALLMONITOR\\.${inputs(view).name}(\\s|$)`));
                expect(statement).not.to.include("SELECT *");
            }
        });

        it("never shares conversation text or raw attributes", () => {
            for (const view of sharedViews) {
                for (const column of PRIVATE_HISTORY_COLUMNS) {
                    expect(inputs(view).statement, `${inputs(view).name} shares ${column}`).not.to.match(new RegExp(`\\b${column}\\b`));
                }
            }
            expect(sharedViews.some((view) => inputs(view).name === "AGENT_EVENTS_HISTORY")).to.equal(historyShared());
        });

        it("creates the share and its grants as the administrative role with the share preview feature only", () => {
            const provider = build.resources.find((resource) => resource.type === "pulumi:providers:snowflake" &&
                resource.name.endsWith("-share-admin"))!;
            expect(inputs(provider).role).to.equal("ACCOUNTADMIN");
            expect(inputs(provider).previewFeaturesEnabled).to.equal(JSON.stringify(SHARE_PREVIEW_FEATURES));
            for (const resource of [...byKind(build, "Share"), ...byKind(build, "GrantPrivilegesToShare")]) {
                expect(resource.provider, resource.name).to.include(`::${provider.name}::`);
            }
            for (const view of sharedViews) {
                expect(view.provider).to.include("-owner::");
            }
        });

        it("exports the share for the central stack", () => {
            expect(build.outputs.orgShare).to.deep.include({
                organization: "ACME", account: raw["snowflake:accountName"], share: "WALLMONITOR_ORG_SHARE", region: "AWS_EU_WEST_1",
            });
        });
    });
}

describe("the central stack on the mock runtime", () => {
    let build: OfflineBuild;
    const viewStatements = (b: OfflineBuild) => Object.fromEntries(byKind(b, "View")
        .filter((view) => inputs(view).name.startsWith("ORG_")).map((view) => [inputs(view).name, inputs(view).statement as string]));

    before(async () => {
        build = await buildOffline("central");
    });

    it("creates one database per member from its share, named predictably", () => {
        expect(components(build).map((component) => component.type)).to.deep.equal(["wallmonitor:org:Central"]);
        expect(byKind(build, "SharedDatabase").map((database) => [inputs(database).name, inputs(database).fromShare])).to.deep.equal([
            ["WALLMONITOR_ORG_EU", '"ACME"."ANALYTICS_EU"."WALLMONITOR_ORG_SHARE"'],
            ["WALLMONITOR_ORG_APPS", '"ACME"."APPS_EU"."WALLMONITOR_ORG_SHARE"'],
        ]);
        expect(build.outputs.org).to.deep.include({ memberDatabases: { EU: "WALLMONITOR_ORG_EU", APPS: "WALLMONITOR_ORG_APPS" } });
    });

    it("unifies every daily rollup over its own rows and each member's", () => {
        const statements = viewStatements(build);
        expect(Object.keys(statements).sort()).to.deep.equal(["ORG_ACCOUNT_DAILY", ...ROLLUP_NAMES.map((name) => `ORG_${name}`)].sort());
        for (const table of ROLLUP_NAMES) {
            const statement = statements[`ORG_${table}`];
            expect(statement.split("\nUNION ALL\n")).to.have.length(3);
            expect(statement).to.include(`SELECT 'ACME.CENTRAL' AS SOURCE_ACCOUNT, `);
            expect(statement).to.include(`FROM WALLMONITOR.WALLMONITOR.${table}\n`);
            expect(statement).to.include(`FROM WALLMONITOR_ORG_EU.${ORG_SHARE_SCHEMA}.${table}\n`);
            expect(statement).to.match(new RegExp(`FROM WALLMONITOR_ORG_APPS\\.${ORG_SHARE_SCHEMA}\\.${table}$`));
        }
        expect(statements.ORG_ACCOUNT_DAILY).to.include("FROM WALLMONITOR.WALLMONITOR.ORG_AGENT_DAILY_ROLLUP");
    });

    it("lets the owner read the member databases and the viewer read the unified views, nothing more", () => {
        const grants = byKind(build, "GrantPrivilegesToAccountRole").map((grant) => inputs(grant));
        const imported = grants.filter((grant) => grant.privileges.includes("IMPORTED PRIVILEGES"));
        expect(imported.map((grant) => [grant.accountRoleName, grant.onAccountObject.objectName])).to.deep.equal([
            ["SFE_WALLMONITOR_OWNER", '"WALLMONITOR_ORG_EU"'], ["SFE_WALLMONITOR_OWNER", '"WALLMONITOR_ORG_APPS"'],
        ]);
        const viewerOrg = grants.filter((grant) => grant.accountRoleName === "SFE_WALLMONITOR_VIEWER" &&
            /ORG_/.test(grant.onSchemaObject?.objectName ?? ""));
        expect(viewerOrg.map((grant) => grant.privileges)).to.deep.equal(Object.keys(viewStatements(build)).map(() => ["SELECT"]));
    });

    it("adds a member with one config change", async () => {
        const members = JSON.parse(readStackConfig("central")["wallmonitor:orgMembers"]) as object[];
        const grown = await buildOffline("central", { "wallmonitor:orgMembers": JSON.stringify([...members,
            { name: "AUDIT", organization: "ACME", account: "AUDIT_EU", share: "AUDIT_SHARE" }]) });
        expect(byKind(grown, "SharedDatabase").map((database) => inputs(database).name))
            .to.deep.equal(["WALLMONITOR_ORG_EU", "WALLMONITOR_ORG_APPS", "WALLMONITOR_ORG_AUDIT"]);
        expect(viewStatements(grown).ORG_AGENT_DAILY_ROLLUP).to.include("FROM WALLMONITOR_ORG_AUDIT.WALLMONITOR_SHARED.AGENT_DAILY_ROLLUP");
        expect(inputs(byKind(grown, "SharedDatabase")[2]).fromShare).to.equal('"ACME"."AUDIT_EU"."AUDIT_SHARE"');
    });

    it("reads a member in another region from the database mounted from its listing, without creating it", async () => {
        const members = JSON.parse(readStackConfig("central")["wallmonitor:orgMembers"]) as object[];
        const withListing = await buildOffline("central", { "wallmonitor:orgMembers": JSON.stringify([...members,
            { name: "US", via: "listing" }]) });
        expect(byKind(withListing, "SharedDatabase").map((database) => inputs(database).name))
            .to.deep.equal(["WALLMONITOR_ORG_EU", "WALLMONITOR_ORG_APPS"]);
        expect(viewStatements(withListing).ORG_AGENT_DAILY_ROLLUP).to.match(/FROM WALLMONITOR_ORG_US\.WALLMONITOR_SHARED\.AGENT_DAILY_ROLLUP$/);
        const imported = byKind(withListing, "GrantPrivilegesToAccountRole").map((grant) => inputs(grant))
            .filter((grant) => grant.privileges.includes("IMPORTED PRIVILEGES")).map((grant) => grant.onAccountObject.objectName);
        expect(imported).to.include('"WALLMONITOR_ORG_US"');
        expect(withListing.outputs.org).to.deep.include({
            memberDatabases: { EU: "WALLMONITOR_ORG_EU", APPS: "WALLMONITOR_ORG_APPS", US: "WALLMONITOR_ORG_US" } });
    });

    describe("with a member read from its stack's outputs", () => {
        const referenced = JSON.stringify([{ name: "EU", stack: "acme/wallmonitor/member-eu" }]);

        it("creates the database from the share the member stack exports", async () => {
            const withReference = await buildOffline("central", { "wallmonitor:orgMembers": referenced }, [], PROJECT_ROOT, {
                "acme/wallmonitor/member-eu": { orgShare: { organization: "ACME", account: "ANALYTICS_EU", share: "WALLMONITOR_ORG_SHARE", region: "AWS_EU_WEST_1" } },
            });
            const reference = withReference.resources.find((resource) => resource.type === "pulumi:pulumi:StackReference")!;
            expect(inputs(reference).name).to.equal("acme/wallmonitor/member-eu");
            const [database] = byKind(withReference, "SharedDatabase");
            expect([inputs(database).name, inputs(database).fromShare])
                .to.deep.equal(["WALLMONITOR_ORG_EU", '"ACME"."ANALYTICS_EU"."WALLMONITOR_ORG_SHARE"']);
        });

        it("fails the deployment with a clear message for a member stack in another region", async () => {
            let error: unknown;
            let failed: OfflineBuild | undefined;
            await buildOffline("central", { "wallmonitor:orgMembers": referenced }, [], PROJECT_ROOT, {
                "acme/wallmonitor/member-eu": { orgShare: { organization: "ACME", account: "ANALYTICS_US", share: "WALLMONITOR_ORG_SHARE", region: "AWS_US_WEST_2" } },
            }).then((result) => (failed = result), (caught) => (error = caught));
            expect(failed).to.equal(undefined);
            expect((error as Error).message).to.match(
                /member EU \(stack acme\/wallmonitor\/member-eu\) is in AWS_US_WEST_2 but this account is in AWS_EU_WEST_1: a direct share cannot cross regions/);
        });

        it("fails with a clear message when the stack exports no share", async () => {
            let error: unknown;
            await buildOffline("central", { "wallmonitor:orgMembers": referenced }, [], PROJECT_ROOT, {
                "acme/wallmonitor/member-eu": { schema: "WALLMONITOR.WALLMONITOR" },
            }).catch((caught) => (error = caught));
            expect(String(error)).to.match(/Required output 'orgShare' does not exist on stack 'acme\/wallmonitor\/member-eu'|exports no usable orgShare/);
        });
    });
});
