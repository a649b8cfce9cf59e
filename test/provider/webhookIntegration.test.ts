import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

import { webhookTarget } from "../../lib/config/alerts";
import { DEFAULTS } from "../../lib/config/stack";
import { PROJECT_ROOT } from "../../plan/offline";
import { listSqlFiles } from "../../lib/sql/render";
import { ACCESS_URL_ENV } from "../../provider/connection";
import { emailIntegrationInputs, emailIntegrationKind } from "../../provider/emailIntegration";
import { fingerprint, fingerprintProperty, snowflakeProvider } from "../../provider/resource";
import {
    WebhookIntegrationInputs, webhookIntegrationInputs, webhookIntegrationKind, WebhookIntegrationOutputs,
    webhookIntegrationStatements,
} from "../../provider/webhookIntegration";
import { configureAgainstFake, FakeSnowflake, insufficientPrivileges, objectMissing, useFakeSnowflake } from "../fakes/snowflakeServer";
import { ADMIN, FAST, OWNER, SCHEMA } from "./streamlitFixtures";

const SLACK_URL = "https://hooks.slack.com/services/T0WALLMON1/B0WALLMON2/AbCdEfGhIjKlMnOpQrStUvWx";
const CREDENTIAL = "T0WALLMON1/B0WALLMON2/AbCdEfGhIjKlMnOpQrStUvWx";
const ROTATED = "T0WALLMON1/B0WALLMON2/ZyXwVuTsRqPoNmLkJiHgFeDc";
const SECRET = `${SCHEMA}.WALLMONITOR_ALERTS_SLACK_SECRET`;
const INTEGRATION = "WALLMONITOR_ALERTS_SLACK";
const COMMENT = "'Managed by Wallmonitor (Pulumi)'";

function inputs(overrides: Partial<{ url: string; integrationName: string; secretName: string; kind: "slack" | "teams" | "pagerduty";
                                    acceptReadableBindValues: boolean }> = {},
                credential: string | null = CREDENTIAL): WebhookIntegrationInputs {
    const rendered = webhookIntegrationInputs({
        database: DEFAULTS.database, schema: DEFAULTS.schema, ownerRole: OWNER, adminRole: ADMIN, comment: DEFAULTS.comment,
        integrationName: overrides.integrationName ?? INTEGRATION, secretName: overrides.secretName ?? "WALLMONITOR_ALERTS_SLACK_SECRET",
        kind: overrides.kind ?? "slack", url: overrides.url ?? webhookTarget("alertSlackWebhookUrl", "slack", SLACK_URL).url,
        acceptReadableBindValues: overrides.acceptReadableBindValues,
    });
    return credential === null ? rendered : { ...rendered, webhookSecret: credential };
}

/** SHOW PARAMETERS' columns, with ALLOW_BIND_VALUES_ACCESS set as `value`. */
const bindValuesAccess = (value: string) => ({
    columns: ["key", "value", "default", "level", "description", "type"],
    rows: [["ALLOW_BIND_VALUES_ACCESS", value, "true", value === "true" ? "" : "ACCOUNT", "Allow bind values access", "BOOLEAN"]],
});
const SHOW_BIND_VALUES = /^SHOW PARAMETERS LIKE 'ALLOW_BIND_VALUES_ACCESS' IN ACCOUNT/;

const SQL = {
    showBindValues: "SHOW PARAMETERS LIKE 'ALLOW_BIND_VALUES_ACCESS' IN ACCOUNT",
    createSecret: `CREATE OR REPLACE SECRET ${SECRET}\n    TYPE = GENERIC_STRING\n    SECRET_STRING = ?\n    COMMENT = ${COMMENT}`,
    alterSecret: `ALTER SECRET ${SECRET} SET SECRET_STRING = ?`,
    useAdmin: `USE ROLE ${ADMIN}`,
    useOwner: `USE ROLE ${OWNER}`,
    createIntegration: `CREATE OR REPLACE NOTIFICATION INTEGRATION ${INTEGRATION}\n    TYPE = WEBHOOK\n    ENABLED = TRUE\n` +
        "    WEBHOOK_URL = 'https://hooks.slack.com/services/SNOWFLAKE_WEBHOOK_SECRET'\n" +
        `    WEBHOOK_SECRET = ${SECRET}\n    WEBHOOK_BODY_TEMPLATE = '{"text": "SNOWFLAKE_WEBHOOK_MESSAGE"}'\n` +
        `    WEBHOOK_HEADERS = ('Content-Type' = 'application/json')\n    COMMENT = ${COMMENT}`,
    grant: `GRANT USAGE ON INTEGRATION ${INTEGRATION} TO ROLE ${OWNER}`,
    // The admin role names the owner's secret when it creates the integration, so it needs USAGE on it.
    grantSecret: `GRANT USAGE ON SECRET ${SECRET} TO ROLE ${ADMIN}`,
    show: `SHOW NOTIFICATION INTEGRATIONS LIKE '${INTEGRATION}'`,
    dropIntegration: `DROP NOTIFICATION INTEGRATION IF EXISTS ${INTEGRATION}`,
    dropSecret: `DROP SECRET IF EXISTS ${SECRET}`,
};

/** The admin role reads that bind values are unreadable before the credential is bound. */
const GUARD = [SQL.useAdmin, SQL.showBindValues, SQL.useOwner];

async function rejection(promise: Promise<unknown>): Promise<Error> {
    try {
        await promise;
    } catch (error) {
        return error as Error;
    }
    throw new Error("expected a failure, but it succeeded");
}

describe("Webhook integration: its SQL and check", () => {
    const provider = snowflakeProvider(webhookIntegrationKind, FAST);

    it("comes from sql/provider/alerts/, one statement each, never holding the credential", () => {
        const files = listSqlFiles();
        for (const kind of ["slack", "teams", "pagerduty"] as const) {
            for (const statement of webhookIntegrationStatements(inputs({ kind }, null))) {
                expect(files, statement.file).to.include(statement.file);
                expect(statement.text.replace(/^--.*\n/gm, "")).not.to.include(";");
                expect(statement.text).not.to.include(CREDENTIAL);
            }
        }
        expect(inputs().secret.create.text).to.include("SECRET_STRING = ?");
    });

    it("accepts the inputs the program renders", async () => {
        expect(await provider.check!(inputs(), inputs())).to.deep.equal({ inputs: inputs() });
    });

    it("refuses another host, a missing credential and a credential written into the URL, naming the property", async () => {
        const otherHost = await provider.check!(inputs(), inputs({ url: "https://hooks.example.com/services/SNOWFLAKE_WEBHOOK_SECRET" }));
        expect(otherHost.failures?.map((failure) => failure.property)).to.deep.equal(["integration"]);
        expect(otherHost.failures?.[0].reason).to.match(/hooks\.slack\.com/);
        const missing = await provider.check!(inputs(), inputs({}, null));
        expect(missing.failures?.map((failure) => failure.property)).to.deep.equal(["webhookSecret"]);
        const leaky = await provider.check!(inputs(), inputs({ url: `https://hooks.slack.com/services/${CREDENTIAL}` }));
        expect(leaky.failures?.map((failure) => failure.property)).to.deep.equal(["integration", "webhookSecret"]);
        expect(JSON.stringify(leaky.failures)).not.to.include(CREDENTIAL);
    });

    it("leaves a credential unknown at preview time to the next check", async () => {
        const result = await provider.check!(inputs(), { ...inputs(), webhookSecret: pulumi.runtime.unknownValue });
        expect(result.failures).to.equal(undefined);
    });

    it("diffs the credential by its fingerprint: the same one is no change, a rotated one an update", async () => {
        const { webhookSecret: _credential, ...rest } = inputs();
        const olds = { ...rest, [fingerprintProperty("webhookSecret")]: fingerprint(CREDENTIAL) } as unknown as WebhookIntegrationOutputs;
        expect(await provider.diff!(INTEGRATION, olds, inputs())).to.deep.equal({ changes: false, replaces: [] });
        expect(await provider.diff!(INTEGRATION, olds, inputs({}, ROTATED))).to.deep.equal({ changes: true, replaces: [] });
        expect(await provider.diff!(INTEGRATION, olds, { ...inputs(), ownerRole: "OTHER_OWNER" }))
            .to.deep.equal({ changes: true, replaces: ["ownerRole"] });
    });
});

describe("Webhook integration against a fake Snowflake", () => {
    let fake: FakeSnowflake;
    const provider = snowflakeProvider(webhookIntegrationKind, FAST);

    before(async () => {
        fake = await FakeSnowflake.start();
        await configureAgainstFake(fake, provider, "DEPLOYER", "deployer password 42");
    });
    beforeEach(() => fake.on(SHOW_BIND_VALUES, bindValuesAccess("false")));
    afterEach(() => fake.reset());
    after(async () => {
        delete process.env[ACCESS_URL_ENV];
        await fake.stop();
        expect(fs.existsSync(path.join(PROJECT_ROOT, "snowflake.log")), "snowflake.log left behind").to.equal(false);
    });

    const boundOnly = (credential: string, boundTo: string[]) => {
        expect(fake.sql.join("\n")).not.to.include(credential);
        expect(fake.statements.filter((record) => record.binds !== undefined).map((record) => [record.sql, record.binds]))
            .to.deep.equal(boundTo.map((sql) => [sql, [credential]]));
    };

    it("creates the secret as the owner and the integration as the admin role, binding the credential", async () => {
        const result = await provider.create(inputs());
        expect(fake.sql).to.deep.equal([...GUARD, SQL.createSecret, SQL.grantSecret, SQL.useAdmin, SQL.createIntegration, SQL.grant,
            SQL.useOwner]);
        const roleOf = (sql: string) => fake.statements.find((record) => record.sql === sql)?.role;
        expect([SQL.showBindValues, SQL.createSecret, SQL.grantSecret, SQL.createIntegration, SQL.grant].map(roleOf))
            .to.deep.equal([ADMIN, OWNER, OWNER, ADMIN, ADMIN]);
        boundOnly(CREDENTIAL, [SQL.createSecret]);
        expect(result.id).to.equal(INTEGRATION);
        expect(JSON.stringify(result.outs)).not.to.include(CREDENTIAL);
        expect(result.outs).not.to.have.property("webhookSecret");
        expect((result.outs as unknown as Record<string, string>)[fingerprintProperty("webhookSecret")]).to.match(/^sha256:/);
    });

    it("rotates the credential in place, and recreates the integration only when it changes", async () => {
        const created = await provider.create(inputs());
        fake.reset();
        fake.on(SHOW_BIND_VALUES, bindValuesAccess("false"));
        await provider.update!(INTEGRATION, created.outs!, inputs({}, ROTATED));
        expect(fake.sql).to.deep.equal([...GUARD, SQL.alterSecret]);
        boundOnly(ROTATED, [SQL.alterSecret]);
        fake.reset();
        const renamed = inputs({ integrationName: "ONCALL_SLACK" });
        await provider.update!(INTEGRATION, created.outs!, renamed);
        const uncommented = (text: string) => text.replace(/^--.*\n/gm, "");
        expect(fake.sql).to.deep.equal([SQL.useAdmin, uncommented(renamed.integration.create.text), uncommented(renamed.integration.grantUsage.text),
            SQL.useOwner, SQL.useAdmin, SQL.dropIntegration, SQL.useOwner]);
        expect(fake.statements.some((record) => record.binds !== undefined)).to.equal(false);
    });

    it("undoes what it created when the integration is refused, and never repeats the credential", async () => {
        fake.on(/^CREATE OR REPLACE NOTIFICATION INTEGRATION/, insufficientPrivileges("account"));
        const error = await rejection(provider.create(inputs()));
        expect(error.message).to.include("alerts/create_webhook_integration.sql");
        expect(error.message).not.to.include(CREDENTIAL);
        expect(fake.sql).to.deep.equal([...GUARD, SQL.createSecret, SQL.grantSecret, SQL.useAdmin, SQL.createIntegration, SQL.useOwner,
            SQL.dropSecret]);
    });

    it("reads an integration that is gone as gone, and deletes what is already gone", async () => {
        const { outs } = await provider.create(inputs());
        fake.reset();
        fake.on(/^SHOW NOTIFICATION INTEGRATIONS/, { columns: ["name"], rows: [] });
        expect(await provider.read!(INTEGRATION, outs!)).to.deep.equal({});
        fake.reset();
        fake.on(/^DROP NOTIFICATION INTEGRATION/, objectMissing("Integration"));
        await provider.delete!(INTEGRATION, outs!);
        expect(fake.sql).to.deep.equal([SQL.useAdmin, SQL.dropIntegration, SQL.useOwner, SQL.dropSecret]);
    });
});

describe("Webhook integration: the credential is never readable in bind history", () => {
    let fake: FakeSnowflake;
    const provider = snowflakeProvider(webhookIntegrationKind, FAST);
    const PASSWORD = "deployer password 42";

    useFakeSnowflake(provider, (started) => {
        fake = started;
    });

    const nowhere = (value: string, ...texts: string[]) => {
        expect(fake.sql.join("\n")).not.to.include(value);
        for (const text of texts) {
            expect(text).not.to.include(value);
        }
    };

    it("refuses to bind the credential while bind values are readable, naming the fix, and creates nothing", async () => {
        fake.on(SHOW_BIND_VALUES, bindValuesAccess("true"));
        const error = await rejection(provider.create(inputs()));
        expect(error.message).to.include(`Not creating or altering secret ${SECRET}`)
            .and.to.include("ALLOW_BIND_VALUES_ACCESS is TRUE in this account")
            .and.to.include("`ALTER ACCOUNT SET ALLOW_BIND_VALUES_ACCESS = FALSE`")
            .and.to.include("`pulumi config set wallmonitor:acceptReadableBindValues true`");
        expect(fake.sql).to.deep.equal([SQL.useAdmin, SQL.showBindValues]);
        expect(fake.statements.some((record) => record.binds !== undefined)).to.equal(false);
        nowhere(CREDENTIAL, error.message);
        nowhere(PASSWORD, error.message);
    });

    it("refuses a rotation as well while bind values are readable", async () => {
        fake.on(SHOW_BIND_VALUES, bindValuesAccess("false"));
        const { outs } = await provider.create(inputs());
        fake.reset();
        fake.on(SHOW_BIND_VALUES, bindValuesAccess("TRUE"));
        const error = await rejection(provider.update!(INTEGRATION, outs!, inputs({}, ROTATED)));
        expect(error.message).to.include("ALLOW_BIND_VALUES_ACCESS is TRUE");
        expect(fake.sql).to.deep.equal([SQL.useAdmin, SQL.showBindValues]);
        nowhere(ROTATED, error.message);
    });

    it("changes the integration alone without reading the parameter: no credential is bound", async () => {
        fake.on(SHOW_BIND_VALUES, bindValuesAccess("false"));
        const { outs } = await provider.create(inputs());
        fake.reset();
        fake.on(SHOW_BIND_VALUES, bindValuesAccess("true"));
        await provider.update!(INTEGRATION, outs!, inputs({ integrationName: "ONCALL_SLACK" }));
        expect(fake.sql).not.to.include(SQL.showBindValues);
        expect(fake.statements.some((record) => record.binds !== undefined)).to.equal(false);
    });

    it("binds the credential when the stack accepts readable bind values, and keeps it out of text and state", async () => {
        fake.on(SHOW_BIND_VALUES, bindValuesAccess("true"));
        const result = await provider.create(inputs({ acceptReadableBindValues: true }));
        expect(fake.sql).to.deep.equal([SQL.createSecret, SQL.grantSecret, SQL.useAdmin, SQL.createIntegration, SQL.grant, SQL.useOwner]);
        expect(fake.statements.filter((record) => record.binds !== undefined).map((record) => record.binds))
            .to.deep.equal([[CREDENTIAL]]);
        nowhere(CREDENTIAL, JSON.stringify(result.outs));
        expect(result.outs).to.deep.include({ bindHistory: inputs({ acceptReadableBindValues: true }).bindHistory });
    });

    it("reports a refused SECRET_STRING bind with the statement and the way out, once, without the credential", async () => {
        fake.on(SHOW_BIND_VALUES, bindValuesAccess("false"));
        fake.on(/^CREATE OR REPLACE SECRET/, { error: { code: "002049", sqlState: "42601",
            message: `SQL compilation error: Bind variable not allowed here: '${CREDENTIAL}'` } });
        const error = await rejection(provider.create(inputs()));
        expect(error.message).to.include("Snowflake statement provider/alerts/create_webhook_secret.sql failed (error 002049")
            .and.to.include("remove this webhook from wallmonitor:alertWebhooks and alert by email")
            .and.to.include("Not retried.").and.to.include("[redacted]");
        expect(fake.sql.filter((sql) => sql === SQL.createSecret)).to.have.length(1);
        nowhere(CREDENTIAL, error.message);
    });
});

describe("Email notification integration against a fake Snowflake", () => {
    let fake: FakeSnowflake;
    const provider = snowflakeProvider(emailIntegrationKind, FAST);
    const email = (recipients: string[]) => emailIntegrationInputs({
        ownerRole: OWNER, adminRole: ADMIN, comment: DEFAULTS.comment, integrationName: "SNOWFLAKE_EXAMPLE_WALLMONITOR_ALERT_EMAIL",
        recipients,
    });
    const CREATE = "CREATE OR REPLACE NOTIFICATION INTEGRATION SNOWFLAKE_EXAMPLE_WALLMONITOR_ALERT_EMAIL\n    TYPE = EMAIL\n" +
        `    ENABLED = TRUE\n    ALLOWED_RECIPIENTS = ('oncall@acme.com', 'data@acme.com')\n    COMMENT = ${COMMENT}`;
    const GRANT = `GRANT USAGE ON INTEGRATION SNOWFLAKE_EXAMPLE_WALLMONITOR_ALERT_EMAIL TO ROLE ${OWNER}`;

    useFakeSnowflake(provider, (started) => {
        fake = started;
    });

    it("creates the integration as the admin role with exactly the configured recipients, and lets the owner use it", async () => {
        const result = await provider.create(email(["oncall@acme.com", "data@acme.com"]));
        expect(fake.sql).to.deep.equal([SQL.useAdmin, CREATE, GRANT, SQL.useOwner]);
        expect(fake.statements.find((record) => record.sql === CREATE)?.role).to.equal(ADMIN);
        expect(result.id).to.equal("SNOWFLAKE_EXAMPLE_WALLMONITOR_ALERT_EMAIL");
    });

    it("changes recipients in place, and refuses an address that is not one", async () => {
        const { outs } = await provider.create(email(["oncall@acme.com", "data@acme.com"]));
        fake.reset();
        await provider.update!("SNOWFLAKE_EXAMPLE_WALLMONITOR_ALERT_EMAIL", outs!, email(["oncall@acme.com"]));
        expect(fake.sql).to.deep.equal([SQL.useAdmin,
            "ALTER NOTIFICATION INTEGRATION SNOWFLAKE_EXAMPLE_WALLMONITOR_ALERT_EMAIL SET ALLOWED_RECIPIENTS = ('oncall@acme.com')",
            SQL.useOwner]);
        const bad = await provider.check!(outs!, { ...email(["oncall@acme.com"]), recipients: ["not an address"] });
        expect(bad.failures?.map((failure) => failure.property)).to.deep.equal(["recipients"]);
    });
});
