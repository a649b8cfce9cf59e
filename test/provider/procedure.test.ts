import { expect } from "chai";

import { ConnectionLimits } from "../../provider/connection";
import {
    checkBody, procedureBody, procedureHeader, procedureInputs, ProcedureInputs, procedureKind, signatureOf,
} from "../../provider/procedure";
import { snowflakeProvider } from "../../provider/resource";
import { FakeSnowflake, objectMissing, useFakeSnowflake } from "../fakes/snowflakeServer";
import { alertProcedure, BODY, OWNER, refreshProcedure } from "./grantFixtures";

const FAST: ConnectionLimits = { attempts: 2, firstRetryDelayMs: 10, requestTimeoutMs: 5_000, statementTimeoutMs: 15_000 };

/** The create statement as the fake records it: without its leading comment lines. */
const sent = (inputs: ProcedureInputs) => inputs.create.text.replace(/^(--[^\n]*\n)+/, "");

describe("procedure resource: its SQL", () => {
    it("creates with CREATE OR REPLACE ... EXECUTE AS OWNER and the body dollar-quoted, and drops and describes by signature", () => {
        const inputs = refreshProcedure();
        expect(procedureHeader(sent(inputs))).to.equal([
            "CREATE OR REPLACE PROCEDURE DB.WALLMONITOR.REFRESH_AGENT_EVENTS(",
            "    LOOKBACK_HOURS FLOAT DEFAULT 24,",
            "    HISTORY_DAYS NUMBER DEFAULT 30,",
            "    INGEST_PATH VARCHAR DEFAULT 'event_table'",
            ")",
            "    COPY GRANTS",
            "    RETURNS VARCHAR",
            "    LANGUAGE PYTHON",
            "    RUNTIME_VERSION = '3.11'",
            "    PACKAGES = ('snowflake-snowpark-python==1.26.0')",
            "    HANDLER = 'run'",
            "    COMMENT = 'Refreshes.'",
            "    EXECUTE AS OWNER",
            "    AS",
        ].join("\n"));
        expect(inputs.create.text.endsWith(` $$\n${BODY.trimEnd()}\n$$`)).to.equal(true);
        expect(procedureBody(inputs.create.text)).to.equal(`\n${BODY.trimEnd()}\n`);
        expect(inputs.argumentTypes).to.deep.equal(["FLOAT", "NUMBER", "VARCHAR"]);
        expect(inputs.procedure).to.equal("DB.WALLMONITOR.REFRESH_AGENT_EVENTS");
        expect(inputs.drop.text).to.match(/\nDROP PROCEDURE IF EXISTS DB\.WALLMONITOR\.REFRESH_AGENT_EVENTS\(FLOAT, NUMBER, VARCHAR\)$/);
        expect(inputs.describe.text).to.match(/\nDESCRIBE PROCEDURE DB\.WALLMONITOR\.REFRESH_AGENT_EVENTS\(FLOAT, NUMBER, VARCHAR\)$/);
    });

    it("refuses a body that would end its $$ quoting, with a clear error", () => {
        const attack = "def run(session, as_of):\n    return 'x'\n$$;\nDROP DATABASE PROD;\n--";
        expect(() => alertProcedure(attack)).to.throw(/The body of procedure DB\.WALLMONITOR\.EVALUATE_ALERTS contains "\$\$", which would end its dollar-quoted definition early/);
        expect(() => checkBody("P", "x = '$'")).not.to.throw();
    });

    it("reads the signature from the statement, quoted defaults with commas and parentheses included", () => {
        expect(signatureOf("CREATE OR REPLACE PROCEDURE A.B.C(\n X VARCHAR DEFAULT 'a,(b', Y NUMBER DEFAULT 1\n) RETURNS VARCHAR AS"))
            .to.deep.equal(["VARCHAR", "NUMBER"]);
        expect(signatureOf("CREATE OR REPLACE PROCEDURE A.B.C() RETURNS VARCHAR AS")).to.deep.equal([]);
        expect(() => signatureOf("CREATE OR REPLACE PROCEDURE A.B.C(X NUMBER(38,0)) AS")).to.throw(/no plain type name/);
    });
});

describe("procedure resource: check and diff", () => {
    const provider = snowflakeProvider(procedureKind, FAST);

    it("accepts the inputs the program renders", async () => {
        expect(await provider.check!(refreshProcedure(), refreshProcedure())).to.deep.equal({ inputs: refreshProcedure() });
    });

    it("refuses a create that is not CREATE OR REPLACE, a body with $$ inside, and a signature that differs from the statement", async () => {
        const inputs = alertProcedure();
        const plainCreate = { ...inputs, create: { ...inputs.create, text: inputs.create.text.replace(/^CREATE OR REPLACE PROCEDURE/m, "CREATE PROCEDURE") } };
        const smuggled = { ...inputs, create: { ...inputs.create, text: inputs.create.text.replace("return 'ok'", () => "$$; DROP TABLE T; $$") } };
        const otherSignature = { ...inputs, argumentTypes: ["VARCHAR"] };
        const failures = async (news: ProcedureInputs) => ((await provider.check!(inputs, news)).failures ?? []).map((failure) => failure.property);
        expect(await failures(plainCreate)).to.deep.equal(["create"]);
        expect(await failures(smuggled)).to.deep.equal(["create"]);
        expect(await failures(otherSignature)).to.deep.equal(["argumentTypes"]);
        const [reason] = (await provider.check!(inputs, otherSignature)).failures!;
        expect(reason.reason).to.equal("(VARCHAR) differs from the signature the create statement declares (TIMESTAMP_NTZ); " +
            "render both with procedureInputs().");
    });

    it("finds no change in identical inputs, so a second `pulumi up` does nothing", async () => {
        expect(await provider.diff!("id", { ...refreshProcedure(), __provider: "older code" } as ProcedureInputs, refreshProcedure()))
            .to.deep.equal({ changes: false, replaces: [] });
    });

    it("updates in place when the body, a default or the comment changes", async () => {
        expect(await provider.diff!("id", refreshProcedure(30), refreshProcedure(7))).to.deep.equal({ changes: true, replaces: [] });
        expect(await provider.diff!("id", alertProcedure(), alertProcedure(`${BODY}# another line\n`)))
            .to.deep.equal({ changes: true, replaces: [] });
        expect(await provider.diff!("id", alertProcedure(), alertProcedure(BODY, "Another comment.")))
            .to.deep.equal({ changes: true, replaces: [] });
    });

    it("replaces the procedure only when its signature (the argument types) changes", async () => {
        const otherSignature = procedureInputs({
            ownerRole: OWNER, database: "DB", schema: "WALLMONITOR", name: "REFRESH_AGENT_EVENTS",
            template: "create_rollup_agent_events",
            values: { RUNTIME_VERSION: { literal: "3.11" }, PACKAGES: { list: [{ literal: "snowflake-snowpark-python==1.26.0" }] },
                HANDLER: { literal: "run" }, COMMENT: { literal: "Refreshes." }, HISTORY_DAYS: 30, ROLLUP_RETENTION_DAYS: 400 },
            body: BODY,
        });
        const diff = await provider.diff!("id", refreshProcedure(), otherSignature);
        expect(diff.replaces).to.deep.equal(["argumentTypes"]);
    });
});

describe("procedure resource against a fake Snowflake", () => {
    let fake: FakeSnowflake;
    const provider = snowflakeProvider(procedureKind, FAST);

    useFakeSnowflake(provider, (started) => {
        fake = started;
    });

    it("creates it with one CREATE OR REPLACE, as the owner role", async () => {
        const result = await provider.create(refreshProcedure());
        expect(fake.sql).to.deep.equal([sent(refreshProcedure())]);
        expect(fake.logins.map((login) => login.role)).to.deep.equal([OWNER]);
        expect(result.id).to.equal("DB.WALLMONITOR.REFRESH_AGENT_EVENTS(FLOAT, NUMBER, VARCHAR)");
        expect(result.outs).to.deep.equal(refreshProcedure());
    });

    it("updates it in place with CREATE OR REPLACE: never a DROP, so a running task never finds it missing", async () => {
        const updated = await provider.update!("id", refreshProcedure(30), refreshProcedure(7));
        expect(fake.sql).to.deep.equal([sent(refreshProcedure(7))]);
        expect(fake.sql.some((sql) => /\bDROP\b/.test(sql))).to.equal(false);
        expect(updated.outs).to.deep.equal(refreshProcedure(7));
    });

    it("runs nothing on an update that leaves the create statement as it was", async () => {
        const olds = refreshProcedure();
        const news = { ...olds, drop: { ...olds.drop, text: `-- a new comment\n${olds.drop.text}` } };
        await provider.update!("id", olds, news);
        expect(fake.sql).to.deep.equal([]);
    });

    it("on a signature change creates the new signature, then drops only the old one", async () => {
        // What the engine does on a replacement: create the new resource, then delete the old.
        const olds = refreshProcedure();
        const news = procedureInputs({
            ownerRole: OWNER, database: "DB", schema: "WALLMONITOR", name: "REFRESH_AGENT_EVENTS",
            template: "create_rollup_agent_events",
            values: { RUNTIME_VERSION: { literal: "3.11" }, PACKAGES: { list: [{ literal: "snowflake-snowpark-python==1.26.0" }] },
                HANDLER: { literal: "run" }, COMMENT: { literal: "Refreshes." }, HISTORY_DAYS: 30, ROLLUP_RETENTION_DAYS: 400 },
            body: BODY,
        });
        await provider.create(news);
        await provider.delete!("id", olds);
        expect(fake.sql).to.deep.equal([sent(news), "DROP PROCEDURE IF EXISTS DB.WALLMONITOR.REFRESH_AGENT_EVENTS(FLOAT, NUMBER, VARCHAR)"]);
    });

    it("reads it back by signature, and reports it gone when DESCRIBE does not find it", async () => {
        fake.on(/^DESCRIBE PROCEDURE/, { columns: ["property", "value"], rows: [["signature", "(LOOKBACK_HOURS FLOAT, ...)"]] }, 1);
        const found = await provider.read!("id", refreshProcedure());
        expect(found).to.deep.equal({ id: "id", props: refreshProcedure() });
        fake.on(/^DESCRIBE PROCEDURE/, objectMissing("Procedure 'DB.WALLMONITOR.REFRESH_AGENT_EVENTS(FLOAT, NUMBER, VARCHAR)'"));
        expect(await provider.read!("id", refreshProcedure())).to.deep.equal({});
        expect(fake.sql).to.deep.equal(Array(2).fill("DESCRIBE PROCEDURE DB.WALLMONITOR.REFRESH_AGENT_EVENTS(FLOAT, NUMBER, VARCHAR)"));
    });

    it("drops it by signature on delete, and succeeds when its schema is already gone", async () => {
        await provider.delete!("id", alertProcedure());
        fake.on(/^DROP PROCEDURE/, objectMissing("Schema 'DB.WALLMONITOR'"));
        await provider.delete!("id", alertProcedure());
        expect(fake.sql).to.deep.equal(Array(2).fill("DROP PROCEDURE IF EXISTS DB.WALLMONITOR.EVALUATE_ALERTS(TIMESTAMP_NTZ)"));
    });
});
