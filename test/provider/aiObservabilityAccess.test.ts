import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

import { PROJECT_ROOT } from "../../plan/offline";
import { listSqlFiles } from "../../lib/sql/render";
import {
    AI_OBSERVABILITY, aiObservabilityAccessInputs, AiObservabilityAccessInputs, aiObservabilityAccessKind,
    AiObservabilityAccessOutputs, aiObservabilityAccessStatements,
} from "../../provider/aiObservabilityAccess";
import { ACCESS_URL_ENV, ConnectionLimits } from "../../provider/connection";
import { snowflakeProvider } from "../../provider/resource";
import { configureAgainstFake, FakeSnowflake, insufficientPrivileges, objectMissing } from "../fakes/snowflakeServer";

const FAST: ConnectionLimits = { attempts: 3, firstRetryDelayMs: 10, requestTimeoutMs: 5_000, statementTimeoutMs: 15_000 };
const OWNER = "SFE_WALLMONITOR_OWNER";
const READER = "SNOWFLAKE.AI_OBSERVABILITY_READER";
const LOOKUP = "SNOWFLAKE.AI_OBSERVABILITY_EVENTS_LOOKUP";

const SQL = {
    grantReader: `GRANT APPLICATION ROLE ${READER} TO ROLE ${OWNER}`,
    grantLookup: `GRANT APPLICATION ROLE ${LOOKUP} TO ROLE ${OWNER}`,
    revokeReader: `REVOKE APPLICATION ROLE ${READER} FROM ROLE ${OWNER}`,
    revokeLookup: `REVOKE APPLICATION ROLE ${LOOKUP} FROM ROLE ${OWNER}`,
    useOwner: `USE ROLE ${OWNER}`,
    noSecondaryRoles: "USE SECONDARY ROLES NONE",
    probeTable: "SELECT 1 FROM SNOWFLAKE.LOCAL.AI_OBSERVABILITY_EVENTS LIMIT 0",
    probeFunction: "SELECT 1 FROM TABLE(SNOWFLAKE.LOCAL.GET_AI_OBSERVABILITY_EVENTS('SNOWFLAKE', 'LOCAL', " +
        "'WALLMONITOR_ACCESS_PROBE', 'CORTEX AGENT')) LIMIT 0",
    probeUsage: "SELECT 1 FROM SNOWFLAKE.ACCOUNT_USAGE.CORTEX_AGENT_USAGE_HISTORY LIMIT 0",
};
const PROBES = [SQL.useOwner, SQL.noSecondaryRoles, SQL.probeTable, SQL.probeFunction, SQL.probeUsage];

const inputs = (ownerRole = OWNER): AiObservabilityAccessInputs =>
    aiObservabilityAccessInputs({ adminRole: "ACCOUNTADMIN", ownerRole, warehouse: "SFE_WALLMONITOR_WH" });
const asRecord = (value: object) => value as Record<string, unknown>;

async function rejection(promise: Promise<unknown>): Promise<Error> {
    try {
        await promise;
    } catch (error) {
        return error as Error;
    }
    throw new Error("expected a failure, but it succeeded");
}

describe("AI-observability access: its SQL", () => {
    it("comes from every file directly in sql/provider/ (not its streamlit/ folder), one statement each", () => {
        const statements = aiObservabilityAccessStatements(inputs());
        expect([...new Set(statements.map((statement) => statement.file))].sort())
            .to.deep.equal(listSqlFiles().filter((file) => /^provider\/[^/]+$/.test(file)));
        for (const statement of statements) {
            expect(statement.text.replace(/^--.*\n/gm, ""), statement.file).not.to.include(";");
        }
    });

    it("refuses role names that are not plain identifiers before anything is declared", () => {
        expect(() => aiObservabilityAccessInputs({ adminRole: "ACCOUNTADMIN", ownerRole: "owner\"; DROP" }))
            .to.throw(/not an unquoted UPPERCASE Snowflake identifier/);
    });
});

describe("AI-observability access: check and diff", () => {
    const provider = snowflakeProvider(aiObservabilityAccessKind, FAST);

    it("accepts the inputs the program renders", async () => {
        expect(await provider.check!(inputs(), inputs())).to.deep.equal({ inputs: inputs() });
    });

    it("names the field and the fix for bad inputs", async () => {
        const result = await provider.check!(inputs(), { ...inputs(), ownerRole: "owner; DROP", readerRoles: [] });
        expect(result.failures).to.deep.equal([
            { property: "ownerRole", reason: "\"owner; DROP\" is not an unquoted UPPERCASE Snowflake identifier; " +
                "use letters A-Z, digits, _ and $, for example SFE_WALLMONITOR_OWNER." },
            { property: "readerRoles", reason: `name at least one application role to grant, such as ${READER}; ` +
                "render them with aiObservabilityAccessInputs()." },
        ]);
    });

    it("refuses SQL that was not rendered from sql/provider/", async () => {
        const handWritten = { ...inputs(), assumeOwnerRole: [{ file: "inline", text: "USE ROLE X" }] };
        const result = await provider.check!(inputs(), handWritten);
        expect(result.failures?.map((failure) => failure.property)).to.deep.equal(["assumeOwnerRole"]);
        expect(result.failures?.[0].reason).to.include("render it in the program instead of writing SQL by hand");
    });

    it("leaves values unknown at preview time to the next check", async () => {
        const result = await provider.check!(inputs(), { ...inputs(), adminRole: pulumi.runtime.unknownValue });
        expect(result.failures).to.equal(undefined);
    });

    const state = (): AiObservabilityAccessOutputs => ({
        ...inputs(), readerRoleGranted: READER, eventTableReadable: true, eventFunctionReadable: true,
        usageHistoryReadable: false, probedAt: "2026-01-01T00:00:00.000Z", warnings: ["an old warning"],
    });

    it("reports no change when only outputs or the provider's code differ, so a second `pulumi up` does nothing", async () => {
        const olds = { ...state(), __provider: "exports.handler = previousVersion;" };
        const news = { ...inputs(), __provider: "exports.handler = currentVersion;" };
        expect(await provider.diff!("id", olds, news)).to.deep.equal({ changes: false, replaces: [] });
    });

    it("replaces the resource when the owner role changes", async () => {
        expect(await provider.diff!("id", state(), inputs("NEW_OWNER"))).to.deep.equal({
            changes: true, replaces: ["ownerRole"],
        });
    });

    it("updates in place when only the SQL or the connecting role changes", async () => {
        const news = { ...inputs(), adminRole: "SECURITYADMIN", probes: { ...inputs().probes, usageHistory: {
            ...inputs().probes.usageHistory, statement: { file: "provider/probe_select.sql", text: "SELECT 1 FROM X LIMIT 0" },
        } } };
        expect(await provider.diff!("id", state(), news)).to.deep.equal({ changes: true, replaces: [] });
    });
});

describe("AI-observability access against a fake Snowflake", () => {
    let fake: FakeSnowflake;
    const provider = snowflakeProvider(aiObservabilityAccessKind, FAST);
    const PASSWORD = "deployer password 42";

    before(async () => {
        fake = await FakeSnowflake.start();
        await configureAgainstFake(fake, provider, "DEPLOYER", PASSWORD);
    });
    afterEach(() => fake.reset());
    after(async () => {
        delete process.env[ACCESS_URL_ENV];
        await fake.stop();
        expect(fs.existsSync(path.join(PROJECT_ROOT, "snowflake.log")), "snowflake.log left behind").to.equal(false);
    });

    it("grants the reader role as the admin role, then probes as the owner role alone", async () => {
        const result = await provider.create(inputs());
        expect(fake.sql).to.deep.equal([SQL.grantReader, ...PROBES]);
        expect(fake.logins.map((login) => [login.user, login.role, login.warehouse])).to.deep.equal([["DEPLOYER", "ACCOUNTADMIN", "SFE_WALLMONITOR_WH"]]);
        expect(fake.statements.filter((record) => record.sql.startsWith("SELECT")).map((record) => record.role))
            .to.deep.equal([OWNER, OWNER, OWNER]);
        expect(result.id).to.equal(`${OWNER}:ai-observability-access`);
        expect(result.outs).to.include({
            readerRoleGranted: READER, eventTableReadable: true, eventFunctionReadable: true, usageHistoryReadable: true,
        });
        expect(result.outs?.warnings).to.deep.equal([]);
        expect(Date.parse(result.outs!.probedAt)).to.be.closeTo(Date.now(), 60_000);
    });

    it("falls back to the older application role where the account has only that", async () => {
        fake.on(/AI_OBSERVABILITY_READER/, objectMissing(`Application role '${READER}'`));
        const result = await provider.create(inputs());
        expect(fake.sql).to.deep.equal([SQL.grantReader, SQL.grantLookup, ...PROBES]);
        expect(result.outs?.readerRoleGranted).to.equal(LOOKUP);
    });

    it("warns instead of failing when the account has neither role, and says what cannot be read", async () => {
        fake.on(/^GRANT APPLICATION ROLE/, objectMissing("Application role"));
        fake.on(/AI_OBSERVABILITY_EVENTS LIMIT 0/, objectMissing("Table 'SNOWFLAKE.LOCAL.AI_OBSERVABILITY_EVENTS'"));
        const result = await provider.create(inputs());
        expect(result.outs).to.include({ readerRoleGranted: false, eventTableReadable: false, usageHistoryReadable: true });
        expect(result.outs?.warnings).to.deep.equal([
            `No reader application role (${READER} or ${LOOKUP}) could be granted to ${OWNER}: this account does not ` +
            "have it, or ACCOUNTADMIN cannot see it (Snowflake 002003). Ingestion cannot read Cortex Agent events until " +
            "an administrator grants one; the rest of Wallmonitor deploys.",
            `${OWNER} cannot read SNOWFLAKE.LOCAL.AI_OBSERVABILITY_EVENTS (Snowflake 002003: SQL compilation error: ` +
            "Table 'SNOWFLAKE.LOCAL.AI_OBSERVABILITY_EVENTS' does not exist or not authorized.).",
        ]);
    });

    it("counts the function as reachable when it fails only on the probe's absent agent", async () => {
        fake.on(/GET_AI_OBSERVABILITY_EVENTS/, objectMissing("Agent 'SNOWFLAKE.LOCAL.WALLMONITOR_ACCESS_PROBE'"));
        expect((await provider.create(inputs())).outs?.eventFunctionReadable).to.equal(true);
        fake.on(/GET_AI_OBSERVABILITY_EVENTS/, objectMissing("Function 'SNOWFLAKE.LOCAL.GET_AI_OBSERVABILITY_EVENTS'"));
        const denied = await provider.create(inputs());
        expect(denied.outs?.eventFunctionReadable).to.equal(false);
        expect(denied.outs?.warnings[0]).to.match(new RegExp(`^${OWNER} cannot read ${AI_OBSERVABILITY.eventFunction.replace(/\./g, "\\.")} `));
    });

    it("cleans up its grant when a create fails half-way, and names the statement and the code", async () => {
        fake.on(/^USE ROLE/, objectMissing(`Role '${OWNER}'`));
        const error = await rejection(provider.create(inputs()));
        expect(error.message).to.include("Snowflake statement provider/use_role.sql failed (error 002003, SQLSTATE 02000)")
            .and.to.include(`USE ROLE ${OWNER}`)
            .and.to.include("Creating AI-observability access failed half-way; undone: provider/revoke_application_role.sql");
        expect(error.message).not.to.include(PASSWORD);
        expect(fake.sql).to.deep.equal([SQL.grantReader, SQL.useOwner, SQL.revokeReader]);
    });

    it("fails fast, without retrying, when the admin role may not grant", async () => {
        fake.on(/^GRANT/, insufficientPrivileges(`application role ${READER}`));
        const error = await rejection(provider.create(inputs()));
        expect(error.message).to.match(/provider\/grant_application_role\.sql failed \(error 003001, SQLSTATE 42501\)/);
        expect(fake.sql).to.deep.equal([SQL.grantReader]);
        expect(fake.logins).to.have.length(1);
    });

    it("re-probes on read without granting anything", async () => {
        const { outs } = await provider.create(inputs());
        fake.reset();
        fake.on(/CORTEX_AGENT_USAGE_HISTORY/, objectMissing("View 'SNOWFLAKE.ACCOUNT_USAGE.CORTEX_AGENT_USAGE_HISTORY'"));
        const read = await provider.read!("id", outs!);
        expect(fake.sql).to.deep.equal(PROBES);
        expect(read.id).to.equal("id");
        expect(read.props).to.include({ readerRoleGranted: READER, usageHistoryReadable: false });
        expect(read.props?.warnings).to.have.length(1);
    });

    it("moves the grant to the reader role once the account has it, on update", async () => {
        fake.on(/AI_OBSERVABILITY_READER/, objectMissing("Application role"));
        const { outs } = await provider.create(inputs());
        expect(outs?.readerRoleGranted).to.equal(LOOKUP);
        fake.reset();
        const updated = await provider.update!("id", outs!, inputs());
        expect(fake.sql).to.deep.equal([SQL.grantReader, SQL.revokeLookup, ...PROBES]);
        expect(updated.outs?.readerRoleGranted).to.equal(READER);
    });

    it("revokes its grant on delete, and succeeds when it is already gone", async () => {
        const { outs } = await provider.create(inputs());
        fake.reset();
        await provider.delete!("id", outs!);
        fake.on(/^REVOKE/, objectMissing(`Role '${OWNER}'`));
        await provider.delete!("id", outs!);
        expect(fake.sql).to.deep.equal([SQL.revokeReader, SQL.revokeReader]);
    });

    it("has nothing to revoke on delete when it granted nothing", async () => {
        await provider.delete!("id", { ...inputs(), readerRoleGranted: false } as AiObservabilityAccessOutputs);
        expect(fake.sql).to.deep.equal([]);
    });

    it("puts no credential in its outputs", async () => {
        const { outs } = await provider.create(inputs());
        expect(JSON.stringify(outs)).not.to.include(PASSWORD);
        expect(Object.keys(asRecord(outs!)).sort()).to.deep.equal([
            ...Object.keys(inputs()), "eventFunctionReadable", "eventTableReadable", "probedAt", "readerRoleGranted",
            "usageHistoryReadable", "warnings",
        ].sort());
    });
});
