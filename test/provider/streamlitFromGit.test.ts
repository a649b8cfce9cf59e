import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

import { PROJECT_ROOT } from "../../plan/offline";
import { listSqlFiles } from "../../lib/sql/render";
import { ACCESS_URL_ENV } from "../../provider/connection";
import { fingerprintProperty, snowflakeProvider } from "../../provider/resource";
import {
    gitSourceLocation, StreamlitFromGitInputs, streamlitFromGitKind, StreamlitFromGitOutputs, streamlitFromGitStatements,
} from "../../provider/streamlitFromGit";
import { configureAgainstFake, FakeSnowflake, insufficientPrivileges, objectMissing } from "../fakes/snowflakeServer";
import { ADMIN, APP, COMMIT, FAST, gitInputs, INTEGRATION, OWNER, REPOSITORY, SCHEMA, SECRET, VIEWER } from "./streamlitFixtures";

const TOKEN = "ghp_WallmonitorTestToken0123456789abcdefXYZ";
/** SHOW PARAMETERS' columns, with ALLOW_BIND_VALUES_ACCESS set as `value`. */
const bindValuesAccess = (value: string) => ({
    columns: ["key", "value", "default", "level", "description", "type"],
    rows: [["ALLOW_BIND_VALUES_ACCESS", value, "true", value === "true" ? "" : "ACCOUNT", "Allow bind values access", "BOOLEAN"]],
});
const SHOW_BIND_VALUES = /^SHOW PARAMETERS LIKE 'ALLOW_BIND_VALUES_ACCESS' IN ACCOUNT/;
const NEW_TOKEN = "ghp_RotatedWallmonitorToken9876543210zyxwvu";
const COMMENT = "'Managed by Wallmonitor (Pulumi)'";

const SQL = {
    useOwner: `USE ROLE ${OWNER}`,
    useAdmin: `USE ROLE ${ADMIN}`,
    showBindValues: "SHOW PARAMETERS LIKE 'ALLOW_BIND_VALUES_ACCESS' IN ACCOUNT",
    createSecret: `CREATE OR REPLACE SECRET ${SECRET}\n    TYPE = PASSWORD\n    USERNAME = 'wallmonitor-deploy'\n    PASSWORD = ?\n` +
        `    COMMENT = ${COMMENT}`,
    alterSecret: `ALTER SECRET ${SECRET} SET USERNAME = 'wallmonitor-deploy' PASSWORD = ?`,
    createIntegration: (prefixes = "'https://github.com/acme/'") => `CREATE OR REPLACE API INTEGRATION ${INTEGRATION}\n` +
        `    API_PROVIDER = git_https_api\n    API_ALLOWED_PREFIXES = (${prefixes})\n    ALLOWED_AUTHENTICATION_SECRETS = (${SECRET})\n` +
        `    ENABLED = TRUE\n    COMMENT = ${COMMENT}`,
    createPublicIntegration: `CREATE OR REPLACE API INTEGRATION ${INTEGRATION}\n    API_PROVIDER = git_https_api\n` +
        `    API_ALLOWED_PREFIXES = ('https://github.com/acme/')\n    ENABLED = TRUE\n    COMMENT = ${COMMENT}`,
    grantIntegration: `GRANT USAGE ON INTEGRATION ${INTEGRATION} TO ROLE ${OWNER}`,
    createRepository: `CREATE OR REPLACE GIT REPOSITORY ${REPOSITORY}\n    ORIGIN = 'https://github.com/acme/wallmonitor.git'\n` +
        `    API_INTEGRATION = ${INTEGRATION}\n    GIT_CREDENTIALS = ${SECRET}\n    COMMENT = ${COMMENT}`,
    createPublicRepository: `CREATE OR REPLACE GIT REPOSITORY ${REPOSITORY}\n    ORIGIN = 'https://github.com/acme/wallmonitor.git'\n` +
        `    API_INTEGRATION = ${INTEGRATION}\n    COMMENT = ${COMMENT}`,
    fetch: `ALTER GIT REPOSITORY ${REPOSITORY} FETCH`,
    createApp: (location = `@${REPOSITORY}/branches/main/streamlit`) => `CREATE OR REPLACE STREAMLIT ${APP}\n    FROM '${location}'\n` +
        `    MAIN_FILE = 'streamlit_app.py'\n    QUERY_WAREHOUSE = SFE_WALLMONITOR_WH\n    TITLE = 'Wallmonitor'\n    COMMENT = ${COMMENT}`,
    liveVersion: `ALTER STREAMLIT ${APP} ADD LIVE VERSION FROM LAST`,
    grantApp: `GRANT USAGE ON STREAMLIT ${APP} TO ROLE ${VIEWER}`,
    show: `SHOW STREAMLITS LIKE 'WALLMONITOR_DASHBOARD' IN SCHEMA ${SCHEMA}`,
    dropApp: `DROP STREAMLIT IF EXISTS ${APP}`,
    dropRepository: `DROP GIT REPOSITORY IF EXISTS ${REPOSITORY}`,
    dropIntegration: `DROP API INTEGRATION IF EXISTS ${INTEGRATION}`,
    dropSecret: `DROP SECRET IF EXISTS ${SECRET}`,
};
/** The admin role reads that bind values are unreadable before the token is bound. */
const GUARD = [SQL.useAdmin, SQL.showBindValues, SQL.useOwner];
const DEPLOY = (location?: string) => [SQL.fetch, SQL.createApp(location), SQL.liveVersion, SQL.grantApp, SQL.show];
const SHOWN = { columns: ["name", "url_id"], rows: [["WALLMONITOR_DASHBOARD", "q2w3e4r5t6y7u8i9o0p1"]] };

async function rejection(promise: Promise<unknown>): Promise<Error> {
    try {
        await promise;
    } catch (error) {
        return error as Error;
    }
    throw new Error("expected a failure, but it succeeded");
}

describe("Streamlit from Git: its SQL", () => {
    it("comes from sql/provider/streamlit/, one statement each, and never holds the token", () => {
        const streamlitFiles = listSqlFiles().filter((file) => file.startsWith("provider/streamlit/") ||
            file === "provider/secrets/show_bind_values_access.sql");
        for (const inputs of [gitInputs({}, TOKEN), gitInputs()]) {
            for (const statement of streamlitFromGitStatements(inputs)) {
                expect(streamlitFiles, statement.file).to.include(statement.file);
                expect(statement.text.replace(/^--.*\n/gm, ""), statement.file).not.to.include(";");
                expect(statement.text).not.to.include(TOKEN);
            }
        }
        expect(gitInputs().secret).to.equal(undefined);
        expect(gitInputs({}, TOKEN).secret?.create.text).to.include("PASSWORD = ?");
    });

    it("builds the app from the branch, or from exactly the commit pinned for it, or from a tag", () => {
        expect(gitSourceLocation(REPOSITORY, "branches/main", undefined, "streamlit")).to.equal(`@${REPOSITORY}/branches/main/streamlit`);
        expect(gitSourceLocation(REPOSITORY, "branches/main", COMMIT, "streamlit")).to.equal(`@${REPOSITORY}/commits/${COMMIT}/streamlit`);
        expect(gitSourceLocation(REPOSITORY, "tags/v1.2.0", undefined, ".")).to.equal(`@${REPOSITORY}/tags/v1.2.0`);
        expect(gitSourceLocation(REPOSITORY, "branches/release/1.2", undefined, "app/ui"))
            .to.equal(`@${REPOSITORY}/branches/"release/1.2"/app/ui`);
    });
});

describe("Streamlit from Git: check and diff", () => {
    const provider = snowflakeProvider(streamlitFromGitKind, FAST);
    const state = async (inputs: StreamlitFromGitInputs): Promise<StreamlitFromGitOutputs> => {
        // As the provider stores it: the token replaced by its fingerprint.
        const { gitToken, ...rest } = inputs;
        const fingerprint = gitToken === undefined ? {} : { [fingerprintProperty("gitToken")]: (await import("../../provider/resource")).fingerprint(gitToken) };
        return { ...rest, ...fingerprint, urlId: "q2w3e4r5t6y7u8i9o0p1" } as StreamlitFromGitOutputs;
    };

    it("accepts the inputs the program renders", async () => {
        const inputs = gitInputs({}, TOKEN);
        expect(await provider.check!(inputs, inputs)).to.deep.equal({ inputs });
    });

    it("names the property and the fix for a missing token, a stray token, a bad ref and hand-written SQL", async () => {
        const withSecret = gitInputs({}, TOKEN);
        const noToken = await provider.check!(withSecret, { ...withSecret, gitToken: undefined });
        expect(noToken.failures).to.deep.equal([{ property: "gitToken", reason: "the repository's credentials need a token: " +
            "set it with `pulumi config set --secret wallmonitor:gitToken`." }]);
        const stray = await provider.check!(withSecret, { ...gitInputs(), gitToken: TOKEN });
        expect(stray.failures?.map((failure) => failure.property)).to.deep.equal(["gitToken"]);
        const bad = await provider.check!(withSecret, {
            ...withSecret,
            source: { ...withSecret.source, ref: "heads/main" },
            repository: { ...withSecret.repository, fetch: { file: "inline", text: "ALTER GIT REPOSITORY R FETCH" } },
        });
        expect(bad.failures?.map((failure) => failure.property)).to.deep.equal(["repository", "source"]);
        expect(JSON.stringify(bad.failures)).not.to.include(TOKEN);
    });

    it("refuses inputs that carry the token in a statement's text, without repeating it", async () => {
        const inputs = gitInputs({}, TOKEN);
        const leaky = { ...inputs, repository: { ...inputs.repository, fetch: { ...inputs.repository.fetch, text: `-- ${TOKEN}\nALTER` } } };
        const result = await provider.check!(inputs, leaky);
        expect(result.failures?.map((failure) => failure.property)).to.deep.equal(["gitToken"]);
        expect(JSON.stringify(result.failures)).not.to.include(TOKEN);
    });

    it("leaves a token unknown at preview time to the next check", async () => {
        const result = await provider.check!(gitInputs({}, TOKEN), { ...gitInputs({}, TOKEN), gitToken: pulumi.runtime.unknownValue });
        expect(result.failures).to.equal(undefined);
    });

    it("reports no change when the same token and ref are deployed, so a second `pulumi up` does nothing", async () => {
        const inputs = gitInputs({}, TOKEN);
        expect(await provider.diff!(APP, { ...(await state(inputs)), __provider: "old" } as StreamlitFromGitOutputs,
            { ...inputs, __provider: "new" } as StreamlitFromGitInputs)).to.deep.equal({ changes: false, replaces: [] });
    });

    it("shows a new commit, another ref or a rotated token as an update, and replaces only for another owner", async () => {
        const olds = await state(gitInputs({}, TOKEN));
        expect(await provider.diff!(APP, olds, gitInputs({ commit: COMMIT }, TOKEN))).to.deep.equal({ changes: true, replaces: [] });
        expect(await provider.diff!(APP, olds, gitInputs({ ref: "tags/v1.2.0" }, TOKEN))).to.deep.equal({ changes: true, replaces: [] });
        expect(await provider.diff!(APP, olds, gitInputs({}, NEW_TOKEN))).to.deep.equal({ changes: true, replaces: [] });
        expect(await provider.diff!(APP, olds, gitInputs({ ownerRole: "OTHER_OWNER" }, TOKEN)))
            .to.deep.equal({ changes: true, replaces: ["ownerRole"] });
    });

    it("reports no change when only the role that switches roles differs: nothing deployed depends on it", async () => {
        const olds = await state(gitInputs({}, TOKEN));
        expect(await provider.diff!(APP, olds, gitInputs({ adminRole: "SECURITYADMIN" }, TOKEN))).to.deep.equal({ changes: false, replaces: [] });
    });
});

describe("Streamlit from Git against a fake Snowflake", () => {
    let fake: FakeSnowflake;
    const provider = snowflakeProvider(streamlitFromGitKind, FAST);
    const PASSWORD = "deployer password 42";

    before(async () => {
        fake = await FakeSnowflake.start();
        await configureAgainstFake(fake, provider, "DEPLOYER", PASSWORD);
    });
    beforeEach(() => {
        fake.on(/^SHOW STREAMLITS/, SHOWN);
        fake.on(SHOW_BIND_VALUES, bindValuesAccess("false"));
    });
    afterEach(() => fake.reset());
    after(async () => {
        delete process.env[ACCESS_URL_ENV];
        await fake.stop();
        expect(fs.existsSync(path.join(PROJECT_ROOT, "snowflake.log")), "snowflake.log left behind").to.equal(false);
    });

    const restart = () => {
        fake.reset();
        fake.on(/^SHOW STREAMLITS/, SHOWN);
        fake.on(SHOW_BIND_VALUES, bindValuesAccess("false"));
    };
    /** Where the token went: it must be bound, and in no statement's text. */
    const expectTokenOnlyBound = (token: string, boundTo: string[]) => {
        expect(fake.sql.join("\n")).not.to.include(token);
        expect(fake.statements.filter((record) => record.binds !== undefined).map((record) => [record.sql, record.binds]))
            .to.deep.equal(boundTo.map((sql) => [sql, [token]]));
    };
    const CREATE = [...GUARD, SQL.createSecret, SQL.useAdmin, SQL.createIntegration(), SQL.grantIntegration, SQL.useOwner,
        SQL.createRepository, ...DEPLOY()];

    it("creates the secret, repository and app as the owner role and the integration as the admin role, binding the token", async () => {
        const result = await provider.create(gitInputs({}, TOKEN));
        expect(fake.sql).to.deep.equal(CREATE);
        expect(fake.logins.map((login) => [login.user, login.role])).to.deep.equal([["DEPLOYER", OWNER]]);
        const roleOf = (sql: string) => fake.statements.find((record) => record.sql === sql)?.role;
        expect([SQL.showBindValues, SQL.createSecret, SQL.createIntegration(), SQL.grantIntegration, SQL.createRepository, SQL.fetch,
            SQL.createApp()].map(roleOf)).to.deep.equal([ADMIN, OWNER, ADMIN, ADMIN, OWNER, OWNER, OWNER]);
        expectTokenOnlyBound(TOKEN, [SQL.createSecret]);
        expect(result.id).to.equal(APP);
        expect(result.outs).to.include({ urlId: "q2w3e4r5t6y7u8i9o0p1" });
        expect(JSON.stringify(result.outs)).not.to.include(TOKEN);
        expect(result.outs).not.to.have.property("gitToken");
        expect((result.outs as unknown as Record<string, string>)[fingerprintProperty("gitToken")]).to.match(/^sha256:[0-9a-f]{32}:[0-9a-f]{64}$/);
    });

    it("needs no secret for a public repository", async () => {
        await provider.create(gitInputs());
        expect(fake.sql).to.deep.equal([SQL.useAdmin, SQL.createPublicIntegration, SQL.grantIntegration, SQL.useOwner,
            SQL.createPublicRepository, ...DEPLOY()]);
        expect(fake.statements.some((record) => record.binds !== undefined)).to.equal(false);
    });

    it("ends in the same state when create runs again, and an update without changes runs nothing", async () => {
        const first = await provider.create(gitInputs({}, TOKEN));
        restart();
        const second = await provider.create(gitInputs({}, TOKEN));
        expect(fake.sql).to.deep.equal(CREATE);
        const { gitTokenFingerprint: _first, ...firstOuts } = first.outs as unknown as Record<string, unknown>;
        const { gitTokenFingerprint: _second, ...secondOuts } = second.outs as unknown as Record<string, unknown>;
        expect(secondOuts).to.deep.equal(firstOuts);
        restart();
        const updated = await provider.update!(APP, second.outs!, gitInputs({}, TOKEN));
        expect(fake.sql).to.deep.equal([]);
        expect(updated.outs).to.deep.equal(second.outs);
    });

    it("rotates a token in place, binding the new one, and keeps it out of the outputs", async () => {
        const { outs } = await provider.create(gitInputs({}, TOKEN));
        restart();
        const updated = await provider.update!(APP, outs!, gitInputs({}, NEW_TOKEN));
        expect(fake.sql).to.deep.equal([...GUARD, SQL.alterSecret, SQL.show]);
        expectTokenOnlyBound(NEW_TOKEN, [SQL.alterSecret]);
        expect(JSON.stringify(updated.outs)).not.to.include(NEW_TOKEN);
        expect(await provider.diff!(APP, updated.outs!, gitInputs({}, NEW_TOKEN))).to.deep.equal({ changes: false, replaces: [] });
    });

    it("deploys a new commit: FETCH, the app from that commit, a live version and the viewer's usage, nothing else", async () => {
        const { outs } = await provider.create(gitInputs({}, TOKEN));
        restart();
        const updated = await provider.update!(APP, outs!, gitInputs({ commit: COMMIT }, TOKEN));
        expect(fake.sql).to.deep.equal(DEPLOY(`@${REPOSITORY}/commits/${COMMIT}/streamlit`));
        expect(updated.outs?.source).to.deep.equal({
            ref: "branches/main", commit: COMMIT, path: "streamlit", location: `@${REPOSITORY}/commits/${COMMIT}/streamlit`,
        });
    });

    it("creates the integration and the repository again when the allowed prefixes change, without redeploying the app", async () => {
        const { outs } = await provider.create(gitInputs({}, TOKEN));
        restart();
        await provider.update!(APP, outs!, gitInputs({ allowedPrefixes: ["https://github.com/acme/", "https://github.com/acme-mirror/"] }, TOKEN));
        expect(fake.sql).to.deep.equal([SQL.useAdmin, SQL.createIntegration("'https://github.com/acme/', 'https://github.com/acme-mirror/'"),
            SQL.grantIntegration, SQL.useOwner, SQL.createRepository, SQL.show]);
    });

    it("drops the secret once the repository is public, after the integration and repository stop naming it", async () => {
        const { outs } = await provider.create(gitInputs({}, TOKEN));
        restart();
        await provider.update!(APP, outs!, gitInputs());
        expect(fake.sql).to.deep.equal([SQL.useAdmin, SQL.createPublicIntegration, SQL.grantIntegration, SQL.useOwner,
            SQL.createPublicRepository, SQL.dropSecret, SQL.show]);
    });

    it("cleans up as the right roles when a create fails half-way, naming the statement and the code", async () => {
        fake.on(/^CREATE OR REPLACE GIT REPOSITORY/, insufficientPrivileges(`integration ${INTEGRATION}`));
        const error = await rejection(provider.create(gitInputs({}, TOKEN)));
        expect(error.message).to.include("Snowflake statement provider/streamlit/create_git_repository.sql failed (error 003001, SQLSTATE 42501)")
            .and.to.include("Creating the Streamlit app from Git failed half-way; undone: provider/streamlit/use_role.sql; " +
                "undone: provider/streamlit/drop_api_integration.sql; undone: provider/streamlit/use_role.sql; " +
                "undone: provider/streamlit/drop_secret.sql");
        expect(fake.sql.slice(-5)).to.deep.equal([SQL.createRepository, SQL.useAdmin, SQL.dropIntegration, SQL.useOwner, SQL.dropSecret]);
        const roleOf = (sql: string) => fake.statements.filter((record) => record.sql === sql).pop()?.role;
        expect([roleOf(SQL.dropIntegration), roleOf(SQL.dropSecret)]).to.deep.equal([ADMIN, OWNER]);
        expect(error.message).not.to.include(TOKEN);
        expect(error.message).not.to.include(PASSWORD);
    });

    it("keeps the token out of an error even when Snowflake's message repeats it", async () => {
        fake.on(/^CREATE OR REPLACE SECRET/, { error: { code: "001003", sqlState: "42000", message: `SQL compilation error: bad value '${TOKEN}'` } });
        const error = await rejection(provider.create(gitInputs({}, TOKEN)));
        expect(error.message).to.include("provider/streamlit/create_git_secret.sql failed (error 001003").and.to.include("[redacted]");
        expect(error.message).not.to.include(TOKEN);
    });

    it("reads the app's URL id, and an app that is gone as gone", async () => {
        const { outs } = await provider.create(gitInputs({}, TOKEN));
        restart();
        const read = await provider.read!(APP, outs!);
        expect(fake.sql).to.deep.equal([SQL.show]);
        expect(read.props).to.include({ urlId: "q2w3e4r5t6y7u8i9o0p1" });
        expect(read.props).to.have.property(fingerprintProperty("gitToken"),
            (outs as unknown as Record<string, string>)[fingerprintProperty("gitToken")]);
        fake.reset();
        expect(await provider.read!(APP, outs!)).to.deep.equal({});
    });

    it("drops the app, repository, integration (as the admin role) and secret on delete, and succeeds when they are gone", async () => {
        const { outs } = await provider.create(gitInputs({}, TOKEN));
        restart();
        await provider.delete!(APP, outs!);
        const DELETE = [SQL.dropApp, SQL.dropRepository, SQL.useAdmin, SQL.dropIntegration, SQL.useOwner, SQL.dropSecret];
        expect(fake.sql).to.deep.equal(DELETE);
        fake.reset();
        fake.on(/^DROP /, objectMissing(`Schema '${SCHEMA}'`));
        await provider.delete!(APP, outs!);
        expect(fake.sql).to.deep.equal(DELETE);
    });
});

/** Everything written to the console and the standard streams while `body` runs. */
async function logsOf<T>(body: () => Promise<T>): Promise<{ logs: string; result: T | Error }> {
    const lines: string[] = [];
    const methods = ["log", "info", "warn", "error", "debug"] as const;
    const saved = methods.map((method) => console[method]);
    const writes = [process.stdout.write, process.stderr.write];
    methods.forEach((method) => { console[method] = (...args: unknown[]) => { lines.push(args.map(String).join(" ")); }; });
    const capture = (chunk: unknown) => { lines.push(String(chunk)); return true; };
    process.stdout.write = capture as typeof process.stdout.write;
    process.stderr.write = capture as typeof process.stderr.write;
    try {
        return { logs: lines.join("\n"), result: await body().catch((error: Error) => error) };
    } finally {
        methods.forEach((method, i) => { console[method] = saved[i]; });
        [process.stdout.write, process.stderr.write] = writes;
    }
}

describe("Streamlit from Git: the token is never readable in bind history", () => {
    let fake: FakeSnowflake;
    const provider = snowflakeProvider(streamlitFromGitKind, FAST);
    const PASSWORD = "deployer password 42";

    before(async () => {
        fake = await FakeSnowflake.start();
        await configureAgainstFake(fake, provider, "DEPLOYER", PASSWORD);
    });
    beforeEach(() => fake.on(/^SHOW STREAMLITS/, SHOWN));
    afterEach(() => fake.reset());
    after(async () => {
        delete process.env[ACCESS_URL_ENV];
        await fake.stop();
    });

    /** Neither the token nor the login password in a statement's text, a log line or the message. */
    const expectNowhere = (token: string, logs: string, message = "") => {
        for (const value of [token, PASSWORD]) {
            expect(fake.sql.join("\n")).not.to.include(value);
            expect(logs).not.to.include(value);
            expect(message).not.to.include(value);
        }
    };

    it("refuses to bind the token while the account lets bind values be read, naming the fix, and creates nothing", async () => {
        fake.on(SHOW_BIND_VALUES, bindValuesAccess("true"));
        const { logs, result } = await logsOf(() => provider.create(gitInputs({}, TOKEN)));
        const error = result as Error;
        expect(error).to.be.instanceOf(Error);
        expect(error.message).to.include(`Not creating or altering secret ${SECRET}`)
            .and.to.include("ALLOW_BIND_VALUES_ACCESS is TRUE in this account")
            .and.to.include("INFORMATION_SCHEMA.BIND_VALUES").and.to.include("QUERY_HISTORY.bind_values")
            .and.to.include("have an account administrator (ACCOUNTADMIN) run `ALTER ACCOUNT SET ALLOW_BIND_VALUES_ACCESS = FALSE`")
            .and.to.include("`pulumi config set wallmonitor:acceptReadableBindValues true`");
        expect(fake.sql).to.deep.equal([SQL.useAdmin, SQL.showBindValues]);
        expect(fake.statements.find((record) => record.sql === SQL.showBindValues)?.role).to.equal(ADMIN);
        expect(fake.statements.some((record) => record.binds !== undefined)).to.equal(false);
        expectNowhere(TOKEN, logs, error.message);
    });

    it("refuses when it cannot read the parameter at all: an unknown is not a yes", async () => {
        fake.on(SHOW_BIND_VALUES, { columns: ["key", "value"], rows: [] });
        const error = await rejection(provider.create(gitInputs({}, TOKEN)));
        expect(error.message).to.include("could not read ALLOW_BIND_VALUES_ACCESS (provider/secrets/show_bind_values_access.sql " +
            "returned no value for it)");
        expect(fake.sql.some((sql) => sql.startsWith("CREATE OR REPLACE SECRET"))).to.equal(false);
    });

    it("refuses to rotate the token too, and leaves the secret as it was", async () => {
        fake.on(SHOW_BIND_VALUES, bindValuesAccess("false"));
        const { outs } = await provider.create(gitInputs({}, TOKEN));
        fake.reset();
        fake.on(SHOW_BIND_VALUES, bindValuesAccess("true"));
        const error = await rejection(provider.update!(APP, outs!, gitInputs({}, NEW_TOKEN)));
        expect(error.message).to.include("ALTER ACCOUNT SET ALLOW_BIND_VALUES_ACCESS = FALSE");
        expect(fake.sql).to.deep.equal([SQL.useAdmin, SQL.showBindValues]);
        expect(error.message).not.to.include(NEW_TOKEN);
    });

    it("binds the token, without reading the parameter, when the stack accepts readable bind values", async () => {
        fake.on(SHOW_BIND_VALUES, bindValuesAccess("true"));
        const accepted = gitInputs({ acceptReadableBindValues: true }, TOKEN);
        expect(accepted.bindHistory.acceptReadable).to.equal(true);
        expect(gitInputs({}, TOKEN).bindHistory.acceptReadable, "refusing is the default").to.equal(false);
        const { logs, result } = await logsOf(() => provider.create(accepted));
        const created = result as Awaited<ReturnType<NonNullable<typeof provider.create>>>;
        expect(fake.sql).to.not.include(SQL.showBindValues);
        expect(fake.sql[0]).to.equal(SQL.createSecret);
        expect(fake.statements.filter((record) => record.binds !== undefined).map((record) => [record.sql, record.binds]))
            .to.deep.equal([[SQL.createSecret, [TOKEN]]]);
        expect(JSON.stringify(created.outs)).not.to.include(TOKEN);
        expectNowhere(TOKEN, logs);
    });

    it("accepting readable bind values is no change to what is deployed", async () => {
        const { gitToken, ...rest } = gitInputs({}, TOKEN);
        const olds = { ...rest, [fingerprintProperty("gitToken")]: (await import("../../provider/resource")).fingerprint(gitToken!),
            urlId: "q2w3e4r5t6y7u8i9o0p1" } as unknown as StreamlitFromGitOutputs;
        expect(await provider.diff!(APP, olds, gitInputs({ acceptReadableBindValues: true }, TOKEN)))
            .to.deep.equal({ changes: false, replaces: [] });
    });

    it("reports a refused bind in PASSWORD = ? with the statement and the way out, once, without the token", async () => {
        fake.on(SHOW_BIND_VALUES, bindValuesAccess("false"));
        fake.on(/^CREATE OR REPLACE SECRET/, { error: { code: "002049", sqlState: "42601",
            message: "SQL compilation error: Bind variable ? not allowed for PASSWORD." } });
        const { logs, result } = await logsOf(() => provider.create(gitInputs({}, TOKEN)));
        const error = result as Error;
        expect(error.message).to.include("Snowflake statement provider/streamlit/create_git_secret.sql failed (error 002049")
            .and.to.include("The credential was bound to the ? of provider/streamlit/create_git_secret.sql")
            .and.to.include("`pulumi config set wallmonitor:dashboardSource folder`")
            .and.to.include("Not retried.");
        expect(fake.sql.filter((sql) => sql === SQL.createSecret)).to.have.length(1);
        expect(fake.logins).to.have.length(1);
        expectNowhere(TOKEN, logs, error.message);
    });

    it("checks that the guard is rendered, naming the property", async () => {
        const inputs = gitInputs({}, TOKEN);
        const unrendered = { ...inputs, bindHistory: { check: inputs.bindHistory.check } } as unknown as StreamlitFromGitInputs;
        const result = await provider.check!(inputs, unrendered);
        expect(result.failures?.map((failure) => failure.property)).to.deep.equal(["bindHistory"]);
    });
});
