import { expect } from "chai";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import type { ResourceProvider } from "@pulumi/pulumi/dynamic";

import { ObservabilityAccess } from "../../components/observability";
import { DEFAULTS } from "../../lib/config/stack";
import { PROJECT_NAME } from "../../plan/offline";
import { aiObservabilityAccessInputs } from "../../provider/aiObservabilityAccess";
import { ACCESS_URL_ENV } from "../../provider/connection";
import { FakeSnowflake } from "../fakes/snowflakeServer";

const DYNAMIC_TYPE = "pulumi-nodejs:dynamic/wallmonitor:AiObservabilityAccess";
/** Distinctive fake credentials: what must never be written into the stack's state. */
const KEY_BODY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDnotarealkeyWALLMONITOR";
const PRIVATE_KEY = `-----BEGIN PRIVATE KEY-----\n${KEY_BODY}\n-----END PRIVATE KEY-----`;
const CONFIG_PASSWORD = "stack-config-password-WALLMONITOR";
const ENV_PASSWORD = "environment-password-WALLMONITOR";

const PROVIDER_WARNING = "SFE_WALLMONITOR_OWNER cannot read SNOWFLAKE.LOCAL.AI_OBSERVABILITY_EVENTS (Snowflake 002003).";

/** The loader the engine's dynamic-provider host uses on `__provider`. */
const requireFromString: (code: string) => { handler(): ResourceProvider } =
    require(require.resolve("require-from-string", { paths: [path.dirname(require.resolve("@pulumi/pulumi"))] }));

describe("AI-observability access on Pulumi's mock runtime", () => {
    const registered: pulumi.runtime.MockResourceArgs[] = [];
    let dynamic: pulumi.runtime.MockResourceArgs;
    let component: ObservabilityAccess;
    const savedPassword = process.env.SNOWFLAKE_PASSWORD;

    before(async () => {
        // Credentials where a careless provider would pick them up at program time.
        process.env.SNOWFLAKE_PASSWORD = ENV_PASSWORD;
        pulumi.runtime.setAllConfig({ "snowflake:privateKey": PRIVATE_KEY, "snowflake:password": CONFIG_PASSWORD },
            ["snowflake:privateKey", "snowflake:password"]);
        await pulumi.runtime.setMocks({
            newResource(args) {
                registered.push(args);
                const warnings = args.name.startsWith("warned-") ? { warnings: [PROVIDER_WARNING] } : {};
                return { id: `${args.name}-id`, state: { ...args.inputs, ...warnings } };
            },
            call: (args) => args.inputs,
        }, PROJECT_NAME, "dev", false);

        // A provider that captured something unserializable rejects without resolving the URN.
        const failures: unknown[] = [];
        const onRejection = (reason: unknown) => failures.push(reason);
        process.on("unhandledRejection", onRejection);
        try {
            component = new ObservabilityAccess("wallmonitor-dev-observability", { config: DEFAULTS });
            const urn = new Promise((resolve) => component.access.urn.apply(resolve));
            const failed = new Promise((_resolve, reject) => {
                const poll = setInterval(() => failures.length > 0 && (clearInterval(poll), reject(failures[0])), 20);
                urn.then(() => clearInterval(poll));
            });
            await Promise.race([urn, failed]);
        } finally {
            process.off("unhandledRejection", onRejection);
        }
        dynamic = registered.find((resource) => resource.type === DYNAMIC_TYPE)!;
    });
    after(() => {
        if (savedPassword === undefined) {
            delete process.env.SNOWFLAKE_PASSWORD;
        } else {
            process.env.SNOWFLAKE_PASSWORD = savedPassword;
        }
    });

    it("registers the dynamic resource under the component, named from it, with its provider serialized", async () => {
        expect(dynamic.name).to.equal("wallmonitor-dev-observability-ai-observability-access");
        expect(registered.map((resource) => resource.type)).to.include("wallmonitor:observability:ObservabilityAccess");
        expect(await new Promise((resolve) => component.access.urn.apply(resolve)))
            .to.include("wallmonitor:observability:ObservabilityAccess$pulumi-nodejs:dynamic/wallmonitor:AiObservabilityAccess");
        expect(dynamic.inputs.__provider).to.be.a("string").and.include("exports.handler");
    });

    it("writes no credential into the serialized provider or the inputs, and marks nothing secret", () => {
        const state = JSON.stringify(dynamic.inputs);
        for (const secret of [KEY_BODY, CONFIG_PASSWORD, ENV_PASSWORD]) {
            expect(state).not.to.include(secret);
        }
        // A captured secret would turn __provider into a secret-wrapped value.
        expect(dynamic.inputs.__provider).to.be.a("string");
    });

    it("passes the rendered SQL as plain inputs, so a preview shows every statement", () => {
        const { __provider: _provider, ...inputs } = dynamic.inputs;
        expect(JSON.parse(JSON.stringify(inputs))).to.deep.equal(JSON.parse(JSON.stringify(aiObservabilityAccessInputs({
            adminRole: DEFAULTS.adminRole, ownerRole: DEFAULTS.ownerRole, warehouse: DEFAULTS.warehouse,
        }))));
    });

    it("shows the warnings the provider returns on the deployment", async () => {
        const shown: unknown[] = [];
        const consoleWarn = console.warn;
        // Without an engine (as under mocks), pulumi.log.warn writes to console.warn.
        console.warn = (message: unknown) => shown.push(message);
        try {
            const warned = new ObservabilityAccess("warned-observability", { config: DEFAULTS });
            await new Promise((resolve) => warned.warnings.apply(resolve));
            await new Promise((resolve) => setImmediate(resolve));
        } finally {
            console.warn = consoleWarn;
        }
        expect(shown).to.deep.equal([`warning: [runtime] ${PROVIDER_WARNING}`]);
    });

    it("deserializes as the engine does, and connects with what configure() received", async () => {
        const fake = await FakeSnowflake.start();
        const savedUrl = process.env[ACCESS_URL_ENV];
        try {
            fake.addUser("DEPLOYER", { password: CONFIG_PASSWORD });
            process.env[ACCESS_URL_ENV] = fake.url;
            const provider = requireFromString(dynamic.inputs.__provider).handler();
            const config: Record<string, string> = {
                "snowflake:organizationName": "MYORG", "snowflake:accountName": "MYACCOUNT",
                "snowflake:user": "DEPLOYER", "snowflake:password": CONFIG_PASSWORD,
            };
            await provider.configure!({ config: { get: (key) => config[key], require: (key) => config[key] } });
            const { __provider: _provider, ...inputs } = dynamic.inputs;
            const result = await provider.create(inputs);
            expect(result.outs.readerRoleGranted).to.equal("SNOWFLAKE.AI_OBSERVABILITY_READER");
            expect(fake.logins).to.deep.equal([{
                user: "DEPLOYER", account: "MYORG-MYACCOUNT", method: "password", role: DEFAULTS.adminRole,
                warehouse: DEFAULTS.warehouse, succeeded: true,
            }]);
        } finally {
            process.env[ACCESS_URL_ENV] = savedUrl;
            if (savedUrl === undefined) {
                delete process.env[ACCESS_URL_ENV];
            }
            await fake.stop();
        }
    });
});
