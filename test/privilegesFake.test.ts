import { expect } from "chai";

import { aiObservabilityAccessInputs, aiObservabilityAccessKind } from "../provider/aiObservabilityAccess";
import { ACCESS_URL_ENV, ConnectionLimits, ConnectionSettings, resolveSettings, Row, withSession } from "../provider/connection";
import { SnowflakeError } from "../provider/errors";
import { Statement } from "../provider/statements";
import { CORTEX_USER, FakeSnowflake } from "./fakes/snowflakeServer";

/**
 * The protocol fake refuses what Snowflake refuses, through the real snowflake-sdk driver: binds
 * where Snowflake takes none, agents a role holds no privilege on (SHOW AGENTS lists them not),
 * and GET_AI_OBSERVABILITY_EVENTS without MONITOR or without SNOWFLAKE.CORTEX_USER.
 */

const FAST: ConnectionLimits = { attempts: 1, firstRetryDelayMs: 10, requestTimeoutMs: 5_000, statementTimeoutMs: 15_000 };
const PASSWORD = "correct horse battery staple";
const sql = (text: string): Statement => ({ file: "provider/test.sql", text });
const OWNER = "SFE_WALLMONITOR_OWNER";
const ADMIN = "ACCOUNTADMIN";

describe("the protocol fake refuses what Snowflake refuses", () => {
    let fake: FakeSnowflake;
    let settings: ConnectionSettings;
    const as = <T>(role: string, body: (run: (text: string, binds?: string[]) => Promise<Row[]>) => Promise<T>) =>
        withSession(settings, { role }, FAST, (session) => body((text, binds) => session.run(sql(text), binds)));
    const failure = async (promise: Promise<unknown>) => {
        try {
            await promise;
        } catch (error) {
            expect(error).to.be.instanceOf(SnowflakeError);
            return (error as SnowflakeError).details;
        }
        throw new Error("expected Snowflake to refuse it");
    };

    beforeEach(async () => {
        fake = await FakeSnowflake.start();
        fake.addUser("DEPLOYER", { password: PASSWORD });
        fake.grantOnAccount(ADMIN, "MANAGE GRANTS");
        settings = resolveSettings({
            "snowflake:organizationName": "MYORG", "snowflake:accountName": "MYACCOUNT",
            "snowflake:user": "DEPLOYER", "snowflake:password": PASSWORD,
        }, { [ACCESS_URL_ENV]: fake.url });
    });
    afterEach(async () => fake.stop());

    describe("binds (https://docs.snowflake.com/en/sql-reference/bind-variables)", () => {
        const refused = [
            "CREATE OR REPLACE NOTIFICATION INTEGRATION N TYPE = WEBHOOK ENABLED = TRUE WEBHOOK_URL = ?",
            "ALTER NOTIFICATION INTEGRATION N SET WEBHOOK_URL = ?",
            "CREATE API INTEGRATION G API_PROVIDER = git_https_api API_ALLOWED_PREFIXES = (?) ENABLED = TRUE",
            "CREATE PIPE DB.S.P AS COPY INTO DB.S.T FROM (SELECT ? FROM @DB.S.STAGE)",
            "CREATE REPLICATION GROUP R OBJECT_TYPES = DATABASES ALLOWED_DATABASES = ?",
            "CREATE STAGE DB.S.X URL = 's3://bucket/' CREDENTIALS = (AWS_KEY_ID = ? AWS_SECRET_KEY = 'k')",
            "CREATE STAGE DB.S.X ENCRYPTION = (TYPE = ?)",
            "CREATE PROCEDURE DB.S.P() RETURNS INT LANGUAGE PYTHON RUNTIME_VERSION = '3.11' PACKAGES = (?) HANDLER = 'h' AS 'def h(s): return 1'",
            "CREATE PROCEDURE DB.S.P() RETURNS INT LANGUAGE PYTHON RUNTIME_VERSION = '3.11' IMPORTS = (?) HANDLER = 'h' AS 'def h(s): return 1'",
            "CREATE TABLE DB.S.T (A INT) WITH TAG (DB.S.COST_CENTER = ?)",
        ];
        for (const text of refused) {
            it(`refuses: ${text.slice(0, 70)}`, async () => {
                const details = await failure(as(ADMIN, (run) => run(text, ["value"])));
                expect(details.code).to.equal("001003");
                expect(details.reason).to.match(/unexpected '\?'/);
            });
        }

        it("takes binds in a secret's value and in a query, and refuses a count that does not match", async () => {
            await as(OWNER, async (run) => {
                await run("CREATE OR REPLACE SECRET DB.S.SECRET TYPE = GENERIC_STRING SECRET_STRING = ?", ["s3cr3t"]);
                await run("ALTER SECRET DB.S.SECRET SET USERNAME = 'bot' PASSWORD = ?", ["t0ken"]);
                await run("SELECT * FROM DB.S.T WHERE A = ? AND B = '?'", ["1"]);
            });
            const details = await failure(as(OWNER, (run) => run("SELECT ?, ?", ["1"])));
            expect(details.code).to.equal("002049");
        });
    });

    describe("agents (https://docs.snowflake.com/en/sql-reference/sql/show-agents)", () => {
        const names = (rows: Row[]) => rows.map((row) => `${row.database_name}.${row.schema_name}.${row.name}`).sort();

        beforeEach(() => {
            fake.addAgent({ database: "SALES", schema: "AGENTS", name: "ORDERS", owner: "SALES_ADMIN" });
            fake.addAgent({ database: "HR", schema: "AGENTS", name: "PEOPLE", owner: "HR_ADMIN" });
        });

        it("lists no agent to a role that holds no privilege on one: an empty list, not an error", async () => {
            expect(await as(OWNER, (run) => run("SHOW AGENTS IN ACCOUNT"))).to.deep.equal([]);
        });

        it("lists the agents a role, or a role it inherits, holds OWNERSHIP, USAGE, MODIFY or MONITOR on, and all to MANAGE GRANTS", async () => {
            await as(ADMIN, async (run) => {
                await run(`GRANT MONITOR ON ALL AGENTS IN SCHEMA SALES.AGENTS TO ROLE ${OWNER}`);
                await run("GRANT USAGE ON AGENT HR.AGENTS.PEOPLE TO ROLE ANALYST");
                await run(`GRANT ROLE ANALYST TO ROLE ${OWNER}`);
            });
            expect(names(await as(OWNER, (run) => run("SHOW AGENTS IN ACCOUNT")))).to.deep.equal(["HR.AGENTS.PEOPLE", "SALES.AGENTS.ORDERS"]);
            expect(names(await as("ANALYST", (run) => run("SHOW AGENTS")))).to.deep.equal(["HR.AGENTS.PEOPLE"]);
            expect(names(await as("SALES_ADMIN", (run) => run("SHOW AGENTS IN SCHEMA SALES.AGENTS")))).to.deep.equal(["SALES.AGENTS.ORDERS"]);
            expect(names(await as(ADMIN, (run) => run("SHOW AGENTS IN ACCOUNT")))).to.have.length(2);
            await as(ADMIN, (run) => run(`REVOKE ROLE ANALYST FROM ROLE ${OWNER}`));
            expect(names(await as(OWNER, (run) => run("SHOW AGENTS IN ACCOUNT")))).to.deep.equal(["SALES.AGENTS.ORDERS"]);
        });

        it("applies a future grant to an agent created later, and an ALL grant only to agents that existed", async () => {
            await as(ADMIN, async (run) => {
                await run(`GRANT MONITOR ON FUTURE AGENTS IN DATABASE SALES TO ROLE ${OWNER}`);
                await run("GRANT MONITOR ON ALL AGENTS IN DATABASE HR TO ROLE ANALYST");
            });
            fake.addAgent({ database: "SALES", schema: "BOTS", name: "QUOTES" });
            fake.addAgent({ database: "HR", schema: "AGENTS", name: "HIRING" });
            expect(names(await as(OWNER, (run) => run("SHOW AGENTS")))).to.deep.equal(["SALES.BOTS.QUOTES"]);
            expect(names(await as("ANALYST", (run) => run("SHOW AGENTS")))).to.deep.equal(["HR.AGENTS.PEOPLE"]);
        });

        it("no scripted reply lists an agent the role may not see", async () => {
            fake.on(/^SHOW AGENTS/, { columns: ["name", "database_name", "schema_name"], rows: [["PEOPLE", "HR", "AGENTS"]] });
            expect(await as(OWNER, (run) => run("SHOW AGENTS IN ACCOUNT"))).to.deep.equal([]);
        });
    });

    describe("GET_AI_OBSERVABILITY_EVENTS (https://docs.snowflake.com/en/sql-reference/functions/get_ai_observability_events-snowflake-local)", () => {
        const read = "SELECT * FROM TABLE(SNOWFLAKE.LOCAL.GET_AI_OBSERVABILITY_EVENTS(?, ?, ?, 'CORTEX AGENT'))";
        const events = { columns: ["RECORD"], rows: [["{\"name\":\"AgentV2RequestResponseInfo\"}"]] };

        beforeEach(() => {
            fake.addAgent({ database: "SALES", schema: "AGENTS", name: "ORDERS", owner: "SALES_ADMIN" });
            fake.on(/GET_AI_OBSERVABILITY_EVENTS/, events);
        });

        it("refuses a role without MONITOR on the agent as Snowflake does (does not exist or not authorized)", async () => {
            const details = await failure(as(OWNER, (run) => run(read, ["SALES", "AGENTS", "ORDERS"])));
            expect(details.code).to.equal("002003");
            expect(details.reason).to.include("SALES.AGENTS.ORDERS");
        });

        it("answers once the role holds MONITOR, whether the agent is bound or literal", async () => {
            await as(ADMIN, (run) => run(`GRANT MONITOR ON AGENT SALES.AGENTS.ORDERS TO ROLE ${OWNER}`));
            expect(await as(OWNER, (run) => run(read, ["SALES", "AGENTS", "ORDERS"]))).to.have.length(1);
            expect(await as(OWNER, (run) => run(
                "SELECT * FROM TABLE(SNOWFLAKE.LOCAL.GET_AI_OBSERVABILITY_EVENTS('SALES', 'AGENTS', 'ORDERS', 'CORTEX AGENT'))"))).to.have.length(1);
            expect(await as("SALES_ADMIN", (run) => run(read, ["SALES", "AGENTS", "ORDERS"]))).to.have.length(1);
        });

        it("refuses a role without SNOWFLAKE.CORTEX_USER once PUBLIC no longer holds it", async () => {
            await as(ADMIN, async (run) => {
                await run(`GRANT MONITOR ON AGENT SALES.AGENTS.ORDERS TO ROLE ${OWNER}`);
                await run(`REVOKE DATABASE ROLE ${CORTEX_USER} FROM ROLE PUBLIC`);
            });
            const details = await failure(as(OWNER, (run) => run(read, ["SALES", "AGENTS", "ORDERS"])));
            expect(details.code).to.equal("003001");
            await as(ADMIN, (run) => run(`GRANT DATABASE ROLE ${CORTEX_USER} TO ROLE ${OWNER}`));
            expect(await as(OWNER, (run) => run(read, ["SALES", "AGENTS", "ORDERS"]))).to.have.length(1);
        });

        it("makes the AI-observability probe report the function unreadable for an owner without CORTEX_USER", async () => {
            const inputs = aiObservabilityAccessInputs({ adminRole: ADMIN, ownerRole: OWNER });
            const probe = (outcome: Awaited<ReturnType<typeof aiObservabilityAccessKind.create>>) => outcome.outs.eventFunctionReadable;
            const create = () => withSession(settings, aiObservabilityAccessKind.session(inputs), FAST,
                (session) => aiObservabilityAccessKind.create(session, inputs, { onFailure: () => undefined }));
            expect(probe(await create()), "the probe's absent agent proves the function ran").to.equal(true);
            await as(ADMIN, (run) => run(`REVOKE DATABASE ROLE ${CORTEX_USER} FROM ROLE PUBLIC`));
            expect(probe(await create())).to.equal(false);
        });
    });
});
