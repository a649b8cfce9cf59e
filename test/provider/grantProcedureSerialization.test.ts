import { expect } from "chai";
import * as path from "path";
import type { ResourceProvider } from "@pulumi/pulumi/dynamic";

import { buildOffline, OfflineBuild } from "../../plan/offline";
import { GRANT_TYPE, PROCEDURE_TYPE } from "../../plan/plan";
import { ACCESS_URL_ENV } from "../../provider/connection";
import { configureAgainstFake, FakeSnowflake } from "../fakes/snowflakeServer";

/** The loader the engine's dynamic-provider host uses on `__provider`. */
const requireFromString: (code: string) => { handler(): ResourceProvider } =
    require(require.resolve("require-from-string", { paths: [path.dirname(require.resolve("@pulumi/pulumi"))] }));

describe("the grant and procedure providers as the engine loads them from the dev stack's build", () => {
    let build: OfflineBuild;
    let fake: FakeSnowflake;

    before(async () => {
        build = await buildOffline("dev");
        fake = await FakeSnowflake.start();
    });
    afterEach(() => fake.reset());
    after(async () => {
        delete process.env[ACCESS_URL_ENV];
        await fake.stop();
    });

    const loaded = async (type: string, name: string) => {
        const resource = build.resources.find((candidate) => candidate.type === type && candidate.name === name)!;
        const { __provider: code, ...inputs } = resource.inputs;
        const provider = requireFromString(code as string).handler();
        await configureAgainstFake(fake, provider, "DEPLOYER", "deployer password 42");
        return { provider, inputs };
    };

    it("creates the refresh procedure with one CREATE OR REPLACE as the owner role", async () => {
        const { provider, inputs } = await loaded(PROCEDURE_TYPE, "wallmonitor-dev-ingestion-refresh-agent-events");
        const result = await provider.create(inputs);
        expect(result.id).to.equal("WALLMONITOR_DEV.WALLMONITOR.REFRESH_AGENT_EVENTS(FLOAT, NUMBER, VARCHAR)");
        expect(fake.sql).to.have.length(1);
        expect(fake.sql[0]).to.match(/^CREATE OR REPLACE PROCEDURE WALLMONITOR_DEV\.WALLMONITOR\.REFRESH_AGENT_EVENTS\(/)
            .and.to.match(/INGEST_PATH VARCHAR DEFAULT 'per_agent'/).and.to.match(/\$\$\n[\s\S]*STATEMENTS\.update\([\s\S]*\n\$\$$/);
        expect(fake.logins.map((login) => login.role)).to.deep.equal(["WALLMONITOR_DEV_OWNER"]);
    });

    it("grants MONITOR on future agents in the configured schema as the admin role", async () => {
        const { provider, inputs } = await loaded(GRANT_TYPE,
            "wallmonitor-dev-observability-monitor-future-agents-in-snowflake-intelligence-agents");
        await provider.create(inputs);
        expect(fake.sql).to.deep.equal(["GRANT MONITOR ON FUTURE AGENTS IN SCHEMA SNOWFLAKE_INTELLIGENCE.AGENTS TO ROLE WALLMONITOR_DEV_OWNER"]);
        expect(fake.logins.map((login) => login.role)).to.deep.equal(["ACCOUNTADMIN"]);
    });
});
