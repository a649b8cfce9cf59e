import { expect } from "chai";

import { ConfigError, parseConfig } from "../lib/config/stack";
import { buildOffline, OfflineBuild, RecordedResource } from "../plan/offline";
import { renderPlan } from "../plan/plan";

/**
 * wallmonitor:taskErrorIntegration: the root tasks send their errors to an existing queue
 * integration (Amazon SNS, Google Pub/Sub, Azure Event Grid), the only kind Snowflake accepts for
 * task errors (https://docs.snowflake.com/en/user-guide/tasks-errors). ERROR_INTEGRATION is a root
 * setting: child tasks never carry it. The owner role gets USAGE on the integration.
 */
const parse = (values: Record<string, string>) => parseConfig({ get: (key) => values[key] });
const inputs = (resource: RecordedResource) => resource.inputs as Record<string, any>;
const tasks = (build: OfflineBuild) => build.resources.filter((resource) => resource.type === "snowflake:index/task:Task");
const usageOn = (build: OfflineBuild, integration: string) => build.resources.filter((resource) =>
    resource.type.endsWith(":GrantPrivilegesToAccountRole")
    && inputs(resource).onAccountObject?.objectType === "INTEGRATION"
    && inputs(resource).onAccountObject?.objectName === integration);

describe("taskErrorIntegration", () => {
    it("is unset by default and must be an unquoted identifier", () => {
        expect(parse({}).taskErrorIntegration).to.equal(undefined);
        expect(parse({ taskErrorIntegration: "TASK_ERRORS_SNS" }).taskErrorIntegration).to.equal("TASK_ERRORS_SNS");
        expect(() => parse({ taskErrorIntegration: "task-errors" })).to.throw(ConfigError, /wallmonitor:taskErrorIntegration: "task-errors" is not an unquoted UPPERCASE/);
    });

    describe("on the mock runtime", () => {
        let off: OfflineBuild;
        let on: OfflineBuild;

        before(async () => {
            off = await buildOffline("dev", { "wallmonitor:alertingEnabled": "true", "wallmonitor:alertEmailRecipients": "oncall@example.com" });
            on = await buildOffline("dev", {
                "wallmonitor:alertingEnabled": "true", "wallmonitor:alertEmailRecipients": "oncall@example.com",
                "wallmonitor:taskErrorIntegration": "TASK_ERRORS_SNS",
            });
        });

        it("sets ERROR_INTEGRATION on the root tasks only", () => {
            const roots = tasks(on).filter((task) => inputs(task).schedule !== undefined);
            const children = tasks(on).filter((task) => inputs(task).schedule === undefined);
            expect(roots.map((task) => inputs(task).name).sort()).to.deep.equal(["EVALUATE_ALERTS_TASK", "REFRESH_AGENT_EVENTS_TASK"]);
            expect(children).to.not.be.empty;
            for (const task of roots) {
                expect(inputs(task).errorIntegration, inputs(task).name).to.equal("TASK_ERRORS_SNS");
            }
            for (const task of children) {
                expect(inputs(task).errorIntegration, inputs(task).name).to.equal(undefined);
            }
            for (const task of tasks(off)) {
                expect(inputs(task).errorIntegration, inputs(task).name).to.equal(undefined);
            }
        });

        it("grants the owner role USAGE on the integration, shown in the plan", () => {
            expect(usageOn(off, "TASK_ERRORS_SNS")).to.deep.equal([]);
            const [grant, ...more] = usageOn(on, "TASK_ERRORS_SNS");
            expect(more).to.deep.equal([]);
            expect(inputs(grant)).to.include({ accountRoleName: "WALLMONITOR_DEV_OWNER" });
            expect(inputs(grant).privileges).to.deep.equal(["USAGE"]);
            expect(renderPlan(on)).to.match(/WALLMONITOR_DEV_OWNER \| INTEGRATION TASK_ERRORS_SNS \| USAGE/);
        });
    });
});
