import { expect } from "chai";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

import { PROJECT_ROOT } from "../../plan/offline";
import {
    ACCESS_URL_ENV, ConnectionLimits, ConnectionSettings, resolveSettings, withSession,
} from "../../provider/connection";
import { redact, SnowflakeError } from "../../provider/errors";
import { Statement } from "../../provider/statements";
import { FakeSnowflake, insufficientPrivileges, objectMissing } from "../fakes/snowflakeServer";

/** Small bounds so failure paths finish in milliseconds. */
const FAST: ConnectionLimits = { attempts: 3, firstRetryDelayMs: 10, requestTimeoutMs: 5_000, statementTimeoutMs: 15_000 };
const PASSWORD = "correct horse battery staple";
const statement = (text: string): Statement => ({ file: "provider/test.sql", text });

async function rejection(promise: Promise<unknown>): Promise<SnowflakeError> {
    try {
        await promise;
    } catch (error) {
        expect(error).to.be.instanceOf(SnowflakeError);
        return error as SnowflakeError;
    }
    throw new Error("expected a failure, but it succeeded");
}

describe("provider connections through snowflake-sdk (fake Snowflake)", () => {
    let fake: FakeSnowflake;
    let settings: (overrides?: Record<string, string>) => ConnectionSettings;

    before(async () => {
        fake = await FakeSnowflake.start();
        fake.addUser("DEPLOYER", { password: PASSWORD });
        settings = (overrides = {}) => resolveSettings({
            "snowflake:organizationName": "MYORG",
            "snowflake:accountName": "MYACCOUNT",
            "snowflake:user": "DEPLOYER",
            "snowflake:password": PASSWORD,
            ...overrides,
        }, { [ACCESS_URL_ENV]: fake.url });
    });
    afterEach(() => fake.reset());
    after(async () => {
        await fake.stop();
        expect(fs.existsSync(path.join(PROJECT_ROOT, "snowflake.log")), "snowflake.log left behind").to.equal(false);
    });

    it("logs in with a password, runs one statement per execute, and closes the session", async () => {
        const rows = await withSession(settings(), { role: "ACCOUNTADMIN", warehouse: "WH" }, FAST, async (session) => {
            await session.run(statement("USE SECONDARY ROLES NONE"));
            return session.run(statement("SELECT 1"));
        });
        expect(rows).to.deep.equal([{ status: "Statement executed successfully." }]);
        expect(fake.logins).to.deep.equal([{
            user: "DEPLOYER", account: "MYORG-MYACCOUNT", method: "password", role: "ACCOUNTADMIN", warehouse: "WH", succeeded: true,
        }]);
        expect(fake.sql).to.deep.equal(["USE SECONDARY ROLES NONE", "SELECT 1"]);
        expect(fake.requests).to.include("POST /session");
    });

    it("logs in with an encrypted key pair: the driver sends a JWT only the account's public key verifies", async () => {
        const passphrase = "key passphrase";
        const { publicKey, privateKey } = crypto.generateKeyPairSync("rsa", {
            modulusLength: 2048,
            publicKeyEncoding: { type: "spki", format: "pem" },
            privateKeyEncoding: { type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase },
        });
        fake.addUser("KEYUSER", { publicKey });
        const keyPair = resolveSettings({
            "snowflake:organizationName": "MYORG",
            "snowflake:accountName": "MYACCOUNT",
            "snowflake:user": "KEYUSER",
            "snowflake:privateKeyPassphrase": passphrase,
        }, { SNOWFLAKE_PRIVATE_KEY: privateKey.replace(/\n/g, "\\n"), [ACCESS_URL_ENV]: fake.url });
        expect(keyPair.authenticator).to.equal("SNOWFLAKE_JWT");
        await withSession(keyPair, { role: "SYSADMIN" }, FAST, (session) => session.run(statement("SELECT 1")));
        expect(fake.logins).to.deep.equal([{
            user: "KEYUSER", account: "MYORG-MYACCOUNT", method: "keypair", role: "SYSADMIN", warehouse: undefined, succeeded: true,
        }]);

        const otherKey = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" });
        const rejected = await rejection(withSession({ ...keyPair, privateKey: String(otherKey), privateKeyPassphrase: undefined },
            {}, FAST, async () => "unreachable"));
        expect(rejected.details).to.include({ kind: "login", code: "390144", transient: false });
        expect(rejected.message).not.to.include(String(otherKey).split("\n")[1]);
    });

    it("fails a bad login at once, with Snowflake's code and without the password", async () => {
        const wrong = "wrong password 1234";
        const failure = await rejection(withSession(settings({ "snowflake:password": wrong }), {}, FAST, async () => "unreachable"));
        expect(failure.details).to.include({ kind: "login", code: "390100", transient: false });
        expect(failure.message).to.match(/^Snowflake login as DEPLOYER to MYORG-MYACCOUNT failed \(error 390100\): Incorrect username or password/);
        expect(failure.message).not.to.include(wrong);
        expect(fake.logins).to.have.length(1);
    });

    it("reports a SQL error with its code and the statement, and does not retry it", async () => {
        fake.on(/^GRANT/, insufficientPrivileges("application role SNOWFLAKE.AI_OBSERVABILITY_READER"));
        const grant: Statement = { file: "provider/grant_application_role.sql", text: "GRANT APPLICATION ROLE SNOWFLAKE.AI_OBSERVABILITY_READER TO ROLE OWNER" };
        const error = await rejection(withSession(settings(), {}, FAST, (session) => session.run(grant)));
        expect(error.details).to.include({ kind: "statement", code: "003001", sqlState: "42501", transient: false });
        expect(error.message).to.include("Snowflake statement provider/grant_application_role.sql failed (error 003001, SQLSTATE 42501)")
            .and.to.include("GRANT APPLICATION ROLE SNOWFLAKE.AI_OBSERVABILITY_READER TO ROLE OWNER");
        expect(fake.logins).to.have.length(1);
    });

    it("returns the SQL errors a caller tolerates, and throws the others", async () => {
        fake.on(/MISSING/, objectMissing("Object 'MISSING'"));
        await withSession(settings(), {}, FAST, async (session) => {
            const tolerated = await session.tryRun(statement("SELECT * FROM MISSING"), (failure) => failure.code === "002003");
            expect(tolerated).to.deep.equal({ failure: {
                code: "002003", sqlState: "02000", message: "SQL compilation error:\nObject 'MISSING' does not exist or not authorized.",
            } });
            await rejection(session.tryRun(statement("SELECT * FROM MISSING"), () => false));
        });
    });

    it("retries a login that met HTTP 503, on a new attempt of its own", async () => {
        fake.failLogins(503);
        await withSession(settings(), {}, FAST, (session) => session.run(statement("SELECT 1")));
        expect(fake.requests.filter((request) => request === "POST /session/v1/login-request")).to.have.length(2);
        expect(fake.sql).to.deep.equal(["SELECT 1"]);
    });

    it("gives up after its attempts, saying the failure was transient", async () => {
        fake.failLogins(503, 503, 503);
        const error = await rejection(withSession(settings(), {}, FAST, async () => "unreachable"));
        expect(error.details).to.include({ kind: "transport", transient: true });
        expect(error.message).to.include("HTTP 503");
        expect(fake.requests.filter((request) => request === "POST /session/v1/login-request")).to.have.length(FAST.attempts);
    });

    it("survives a statement answered with HTTP 503 once (the driver retries it after a second or so)", async function () {
        // The driver sleeps 1 to 3 s before its retry; that sleep cannot be configured.
        this.timeout(10_000);
        fake.on(/^SELECT 1$/, { httpStatus: 503 }, 1);
        const rows = await withSession(settings(), {}, FAST, (session) => session.run(statement("SELECT 1")));
        expect(rows).to.have.length(1);
        expect(fake.statements.map((record) => record.httpStatus)).to.deep.equal([503, undefined]);
    });
});

describe("provider connection settings", () => {
    const complete = {
        "snowflake:organizationName": "ORG",
        "snowflake:accountName": "ACC",
        "snowflake:user": "U",
        "snowflake:password": "stack-config password",
    };

    it("prefer the stack's snowflake: config to the environment", () => {
        const resolved = resolveSettings(complete, { SNOWFLAKE_PASSWORD: "environment password", SNOWFLAKE_WAREHOUSE: "WH" });
        expect(resolved).to.include({ account: "ORG-ACC", user: "U", authenticator: "SNOWFLAKE", password: "stack-config password", warehouse: "WH" });
    });

    it("fall back to the Snowflake provider's environment variables", () => {
        const resolved = resolveSettings({}, {
            SNOWFLAKE_ORGANIZATION_NAME: "ORG", SNOWFLAKE_ACCOUNT_NAME: "ACC", SNOWFLAKE_USER: "U",
            SNOWFLAKE_PRIVATE_KEY: "-----BEGIN PRIVATE KEY-----\\nABC\\n-----END PRIVATE KEY-----", SNOWFLAKE_ROLE: "SYSADMIN",
        });
        expect(resolved).to.include({ authenticator: "SNOWFLAKE_JWT", role: "SYSADMIN", password: undefined });
        expect(resolved.privateKey).to.equal("-----BEGIN PRIVATE KEY-----\nABC\n-----END PRIVATE KEY-----");
    });

    it("name both places to set what is missing", () => {
        expect(() => resolveSettings({ ...complete, "snowflake:accountName": undefined }, {}))
            .to.throw(/no account\. Set snowflake:organizationName .* or SNOWFLAKE_ORGANIZATION_NAME, and snowflake:accountName .* or SNOWFLAKE_ACCOUNT_NAME/);
        expect(() => resolveSettings({ ...complete, "snowflake:password": undefined }, {}))
            .to.throw(/no credentials\. Set snowflake:privateKey \(pulumi config set --secret\) or SNOWFLAKE_PRIVATE_KEY, or snowflake:password/);
        expect(() => resolveSettings({ ...complete, "snowflake:authenticator": "EXTERNALBROWSER" }, {}))
            .to.throw(/authenticator "EXTERNALBROWSER" is not supported .* Use SNOWFLAKE_JWT \(key pair\) or SNOWFLAKE \(password\)/);
    });

    it("keep secrets, short ones and single lines of a key included, out of messages", () => {
        const key = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----";
        const message = redact(`key ${key}; a line of it: BKcwggSjAgEAAoIBAQC7; password pw42 in PRIVATE KEY text`, [key, "pw42"]);
        expect(message).to.equal("key [redacted]; a line of it: [redacted]; password [redacted] in PRIVATE KEY text");
    });
});
