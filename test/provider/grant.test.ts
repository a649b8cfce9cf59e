import { expect } from "chai";

import { agentLocationGrants } from "../../components/observability";
import { parseAgentLocations } from "../../lib/config/stack";
import { ConnectionLimits } from "../../provider/connection";
import { GRANT_ROW_ASSUMPTION, grantInputs, GrantInputs, grantKind, rowMatches } from "../../provider/grant";
import { snowflakeProvider } from "../../provider/resource";
import { FakeSnowflake, insufficientPrivileges, objectMissing, useFakeSnowflake } from "../fakes/snowflakeServer";
import { ADMIN, grant, GRANT_SPECS, OWNER } from "./grantFixtures";

const FAST: ConnectionLimits = { attempts: 2, firstRetryDelayMs: 10, requestTimeoutMs: 5_000, statementTimeoutMs: 15_000 };
const code = (text: string) => text.replace(/^(--[^\n]*\n)+/, "");
const SHOW_GRANTS_COLUMNS = ["created_on", "privilege", "granted_on", "name", "granted_to", "grantee_name", "grant_option", "granted_by"];
const SHOW_FUTURE_COLUMNS = ["created_on", "privilege", "grant_on", "name", "grant_to", "grantee_name", "grant_option"];

describe("grant resource: its SQL", () => {
    it("renders GRANT, REVOKE and the read-back of each form from sql/provider/grants/", () => {
        const statements = (inputs: GrantInputs) => [inputs.grant, inputs.revoke, inputs.readBack?.show]
            .map((statement) => (statement === undefined ? undefined : code(statement.text)));
        expect(statements(grant(GRANT_SPECS.cortexUser))).to.deep.equal([
            `GRANT DATABASE ROLE SNOWFLAKE.CORTEX_USER TO ROLE ${OWNER}`,
            `REVOKE DATABASE ROLE SNOWFLAKE.CORTEX_USER FROM ROLE ${OWNER}`,
            `SHOW GRANTS TO ROLE ${OWNER}`,
        ]);
        expect(statements(grant(GRANT_SPECS.usageOnSchema))).to.deep.equal([
            `GRANT USAGE ON SCHEMA SNOWFLAKE_INTELLIGENCE.AGENTS TO ROLE ${OWNER}`,
            `REVOKE USAGE ON SCHEMA SNOWFLAKE_INTELLIGENCE.AGENTS FROM ROLE ${OWNER}`,
            `SHOW GRANTS TO ROLE ${OWNER}`,
        ]);
        expect(statements(grant(GRANT_SPECS.monitorAllAgents))).to.deep.equal([
            `GRANT MONITOR ON ALL AGENTS IN SCHEMA SNOWFLAKE_INTELLIGENCE.AGENTS TO ROLE ${OWNER}`,
            `REVOKE MONITOR ON ALL AGENTS IN SCHEMA SNOWFLAKE_INTELLIGENCE.AGENTS FROM ROLE ${OWNER}`,
            undefined,
        ]);
        expect(statements(grant(GRANT_SPECS.monitorFutureAgents))).to.deep.equal([
            `GRANT MONITOR ON FUTURE AGENTS IN DATABASE SALES_DB TO ROLE ${OWNER}`,
            `REVOKE MONITOR ON FUTURE AGENTS IN DATABASE SALES_DB FROM ROLE ${OWNER}`,
            "SHOW FUTURE GRANTS IN DATABASE SALES_DB",
        ]);
        expect(grant(GRANT_SPECS.monitorFutureAgents)).to.include({ privilege: "MONITOR", on: "FUTURE AGENTS IN DATABASE SALES_DB" });
    });

    it("refuses privileges, object types and names it does not grant, before anything is declared", () => {
        expect(() => grantInputs({ adminRole: ADMIN, grantee: OWNER,
            spec: { kind: "object", privilege: "OWNERSHIP" as "USAGE", objectType: "DATABASE", object: "DB" } }))
            .to.throw(/"OWNERSHIP" is not a privilege this resource grants \(USAGE, MONITOR\)/);
        expect(() => grantInputs({ adminRole: ADMIN, grantee: OWNER,
            spec: { kind: "future", privilege: "MONITOR", objectTypePlural: "TABLES" as "AGENTS", containerType: "SCHEMA", container: "DB.S" } }))
            .to.throw(/"TABLES" is not a object type this resource grants/);
        expect(() => grantInputs({ adminRole: ADMIN, grantee: "owner; DROP",
            spec: GRANT_SPECS.cortexUser })).to.throw(/not an unquoted UPPERCASE Snowflake identifier/);
    });

    it("matches SHOW rows case- and quote-insensitively, on the expected columns only", () => {
        const expected = grant(GRANT_SPECS.cortexUser).readBack!.row;
        expect(rowMatches({ privilege: "USAGE", granted_on: "DATABASE_ROLE", name: "\"SNOWFLAKE\".\"CORTEX_USER\"" }, expected)).to.equal(true);
        expect(rowMatches({ privilege: "USAGE", granted_on: "DATABASE_ROLE", name: "SNOWFLAKE.USAGE_VIEWER" }, expected)).to.equal(false);
        expect(rowMatches({ granted_on: "ROLE", name: "SNOWFLAKE.CORTEX_USER" }, expected)).to.equal(false);
        expect(rowMatches({ granted_on: "DATABASE ROLE", name: "snowflake.cortex_user" }, expected)).to.equal(true);
    });
});

describe("grant resource: the grants of an agent location", () => {
    const config = { database: "WALLMONITOR_DB", schema: "WALLMONITOR" };
    const on = (location: string) => agentLocationGrants(parseAgentLocations(location)![0], config)
        .map((spec) => { const inputs = grantInputs({ adminRole: ADMIN, grantee: OWNER, spec }); return `${inputs.privilege} ON ${inputs.on}`; });

    it("for a schema: USAGE on it and its database, MONITOR on its agents now and later", () => {
        expect(on("SALES_DB.AGENTS")).to.deep.equal([
            "USAGE ON DATABASE SALES_DB", "USAGE ON SCHEMA SALES_DB.AGENTS",
            "MONITOR ON ALL AGENTS IN SCHEMA SALES_DB.AGENTS", "MONITOR ON FUTURE AGENTS IN SCHEMA SALES_DB.AGENTS",
        ]);
    });

    it("for a database: USAGE on it and its schemas, MONITOR on its agents now and later", () => {
        expect(on("SALES_DB")).to.deep.equal([
            "USAGE ON DATABASE SALES_DB", "USAGE ON ALL SCHEMAS IN DATABASE SALES_DB", "USAGE ON FUTURE SCHEMAS IN DATABASE SALES_DB",
            "MONITOR ON ALL AGENTS IN DATABASE SALES_DB", "MONITOR ON FUTURE AGENTS IN DATABASE SALES_DB",
        ]);
    });

    it("leaves out USAGE the owner already holds through another resource, so a revoke here never takes it away", () => {
        expect(on("WALLMONITOR_DB.WALLMONITOR")).to.deep.equal([
            "MONITOR ON ALL AGENTS IN SCHEMA WALLMONITOR_DB.WALLMONITOR", "MONITOR ON FUTURE AGENTS IN SCHEMA WALLMONITOR_DB.WALLMONITOR",
        ]);
    });
});

describe("grant resource: check and diff", () => {
    const provider = snowflakeProvider(grantKind, FAST);
    const inputs = () => grant(GRANT_SPECS.monitorFutureAgents);

    it("accepts the inputs the program renders", async () => {
        expect(await provider.check!(inputs(), inputs())).to.deep.equal({ inputs: inputs() });
    });

    it("names the field and the fix for bad inputs", async () => {
        const bad = { ...inputs(), privilege: "OWNERSHIP", grant: { file: "inline", text: "GRANT OWNERSHIP ON DATABASE X TO ROLE Y" } };
        expect((await provider.check!(inputs(), bad)).failures?.map((failure) => failure.property)).to.deep.equal(["grant", "privilege", "grant"]);
        const otherGrantee = { ...inputs(), grantee: "SOMEONE_ELSE" };
        expect((await provider.check!(inputs(), otherGrantee)).failures).to.deep.equal([
            { property: "grant", reason: "the statement does not grant to SOMEONE_ELSE; render it with grantInputs()." },
        ]);
    });

    it("finds no change in identical inputs, so a second `pulumi up` does nothing (the admin role alone is no change)", async () => {
        expect(await provider.diff!("id", { ...inputs(), __provider: "older code" } as GrantInputs, inputs())).to.deep.equal({ changes: false, replaces: [] });
        expect(await provider.diff!("id", inputs(), { ...inputs(), adminRole: "SECURITYADMIN" })).to.deep.equal({ changes: false, replaces: [] });
    });

    it("replaces on another grantee or securable, and updates when only the statement's text changes", async () => {
        const moved = grant({ ...GRANT_SPECS.monitorFutureAgents, container: "OTHER_DB" } as typeof GRANT_SPECS.monitorFutureAgents);
        expect(await provider.diff!("id", inputs(), moved)).to.deep.equal({ changes: true, replaces: ["on"] });
        expect((await provider.diff!("id", inputs(), grant(GRANT_SPECS.monitorFutureAgents, "OTHER_ROLE"))).replaces).to.deep.equal(["grantee"]);
        const recommented = { ...inputs(), grant: { ...inputs().grant, text: `-- why\n${inputs().grant.text}` } };
        expect(await provider.diff!("id", inputs(), recommented)).to.deep.equal({ changes: true, replaces: [] });
    });
});

describe("grant resource against a fake Snowflake", () => {
    let fake: FakeSnowflake;
    const provider = snowflakeProvider(grantKind, FAST);

    useFakeSnowflake(provider, (started) => {
        fake = started;
    });

    it("grants as the admin role, and granting again (a repeated create) runs the same GRANT", async () => {
        const first = await provider.create(grant(GRANT_SPECS.cortexUser));
        const again = await provider.create(grant(GRANT_SPECS.cortexUser));
        expect(fake.sql).to.deep.equal(Array(2).fill(`GRANT DATABASE ROLE SNOWFLAKE.CORTEX_USER TO ROLE ${OWNER}`));
        expect(fake.logins.map((login) => login.role)).to.deep.equal([ADMIN, ADMIN]);
        expect(first.id).to.equal(`${OWNER}:DATABASE ROLE ON SNOWFLAKE.CORTEX_USER`);
        expect(again).to.deep.equal(first);
    });

    it("fails, naming the statement, when the admin role may not grant", async () => {
        fake.on(/^GRANT MONITOR ON FUTURE/, insufficientPrivileges("schema SALES_DB"));
        let error: Error | undefined;
        try {
            await provider.create(grant(GRANT_SPECS.monitorFutureAgents));
        } catch (caught) {
            error = caught as Error;
        }
        expect(error?.message).to.match(/provider\/grants\/grant_on_future\.sql failed \(error 003001/);
    });

    it("reads a database-role grant back from SHOW GRANTS TO ROLE, and reports it gone when no row matches", async () => {
        const state = grant(GRANT_SPECS.cortexUser);
        const row = (name: string) => ["2026-01-01", "USAGE", GRANT_ROW_ASSUMPTION.databaseRoleGrantedOn[0], name, "ROLE", OWNER, "false", ADMIN];
        fake.on(/^SHOW GRANTS TO ROLE/, { columns: SHOW_GRANTS_COLUMNS, rows: [row("SNOWFLAKE.USAGE_VIEWER"), row("SNOWFLAKE.CORTEX_USER")] }, 1);
        expect(await provider.read!("id", state)).to.deep.equal({ id: "id", props: state });
        fake.on(/^SHOW GRANTS TO ROLE/, { columns: SHOW_GRANTS_COLUMNS, rows: [row("SNOWFLAKE.USAGE_VIEWER")] }, 1);
        expect(await provider.read!("id", state)).to.deep.equal({});
        fake.on(/^SHOW GRANTS TO ROLE/, objectMissing(`Role '${OWNER}'`), 1);
        expect(await provider.read!("id", state)).to.deep.equal({});
        expect(fake.sql).to.deep.equal(Array(3).fill(`SHOW GRANTS TO ROLE ${OWNER}`));
    });

    it("reads a future grant back from SHOW FUTURE GRANTS, matching the grantee", async () => {
        const state = grant(GRANT_SPECS.monitorFutureAgents);
        const row = (grantee: string) => ["2026-01-01", "MONITOR", "AGENT", "SALES_DB.<AGENT>", "ROLE", grantee, "false"];
        fake.on(/^SHOW FUTURE GRANTS IN DATABASE SALES_DB$/, { columns: SHOW_FUTURE_COLUMNS, rows: [row("OTHER_ROLE"), row(OWNER)] }, 1);
        expect(await provider.read!("id", state)).to.deep.equal({ id: "id", props: state });
        fake.on(/^SHOW FUTURE GRANTS IN DATABASE SALES_DB$/, { columns: SHOW_FUTURE_COLUMNS, rows: [row("OTHER_ROLE")] }, 1);
        expect(await provider.read!("id", state)).to.deep.equal({});
    });

    it("keeps a grant on ALL agents as recorded on read: it has no record of its own to read back", async () => {
        const state = grant(GRANT_SPECS.monitorAllAgents);
        expect(await provider.read!("id", state)).to.deep.equal({ id: "id", props: state });
        expect(fake.sql).to.deep.equal([]);
    });

    it("grants again on an update of the statement, and runs nothing when only the read-back changed", async () => {
        const olds = grant(GRANT_SPECS.monitorAllAgents);
        await provider.update!("id", olds, { ...olds, grant: { ...olds.grant, text: `-- why\n${olds.grant.text}` } });
        const future = grant(GRANT_SPECS.monitorFutureAgents);
        await provider.update!("id", future, { ...future, readBack: { ...future.readBack!, row: { privilege: ["MONITOR"] } } });
        expect(fake.sql).to.deep.equal([`GRANT MONITOR ON ALL AGENTS IN SCHEMA SNOWFLAKE_INTELLIGENCE.AGENTS TO ROLE ${OWNER}`]);
    });

    it("revokes on delete, and succeeds when the grant, its grantee or its object is already gone", async () => {
        await provider.delete!("id", grant(GRANT_SPECS.monitorFutureAgents));
        fake.on(/^REVOKE/, objectMissing("Database 'SALES_DB'"));
        await provider.delete!("id", grant(GRANT_SPECS.monitorFutureAgents));
        expect(fake.sql).to.deep.equal(Array(2).fill(`REVOKE MONITOR ON FUTURE AGENTS IN DATABASE SALES_DB FROM ROLE ${OWNER}`));
    });
});
