import { expect } from "chai";

import { buildSqlCatalog } from "../lib/sql/catalog";
import { ConfigError, DEFAULTS, parseConfig } from "../lib/config/stack";
import { buildOffline, OfflineBuild, RecordedResource } from "../plan/offline";
import { renderPlan } from "../plan/plan";
import { READ_UNREDACTED_EVENTS_PRIVILEGE } from "../components/access";

/**
 * wallmonitor:readUnredactedEvents (issue 14 item 4): since 2026-04-24 GET_AI_OBSERVABILITY_EVENTS
 * redacts text unless the role holds READ UNREDACTED AI OBSERVABILITY EVENTS TABLE. The key grants
 * that privilege to the owner role, shown in the plan; it is refused without storeConversationText.
 */
const parse = (values: Record<string, string>) => parseConfig({ get: (key) => values[key] });
const inputs = (resource: RecordedResource) => resource.inputs as Record<string, any>;

function unredactedGrants(build: OfflineBuild): RecordedResource[] {
    return build.resources.filter((resource) => resource.type.endsWith(":GrantPrivilegesToAccountRole")
        && (inputs(resource).privileges ?? []).includes(READ_UNREDACTED_EVENTS_PRIVILEGE));
}

describe("readUnredactedEvents", () => {
    it("is off by default", () => {
        expect(DEFAULTS.readUnredactedEvents).to.equal(false);
        expect(parse({}).readUnredactedEvents).to.equal(false);
    });

    it("is refused without storeConversationText, naming both keys and the fix", () => {
        expect(() => parse({ readUnredactedEvents: "true" })).to.throw(ConfigError,
            /wallmonitor:readUnredactedEvents: is true but wallmonitor:storeConversationText is false.*Set storeConversationText to true as well, or remove readUnredactedEvents/);
        expect(() => parse({ readUnredactedEvents: "yes", storeConversationText: "true" })).to.throw(ConfigError,
            /readUnredactedEvents: "yes" is not a boolean/);
        expect(parse({ readUnredactedEvents: "true", storeConversationText: "true" }).readUnredactedEvents).to.equal(true);
    });

    it("tells the per-agent insert whether the function's text is redacted; the event-table insert never is", () => {
        const redacted = buildSqlCatalog(parse({ storeConversationText: "true" })).procedureStatements;
        const unredacted = buildSqlCatalog(parse({ storeConversationText: "true", readUnredactedEvents: "true" })).procedureStatements;
        expect(redacted.insert_agent_events.text).to.include("TRUE AS SOURCE_TEXT_REDACTED");
        expect(unredacted.insert_agent_events.text).to.include("FALSE AS SOURCE_TEXT_REDACTED");
        for (const catalog of [redacted, unredacted]) {
            expect(catalog.insert_events_from_event_table.text).to.include("FALSE AS SOURCE_TEXT_REDACTED");
            expect(catalog.insert_agent_events.text).to.include("IFF(TRUE AND NOT s.SOURCE_TEXT_REDACTED, s.RECORD_ATTRIBUTES:");
        }
    });

    describe("on the mock runtime", () => {
        let off: OfflineBuild;
        let on: OfflineBuild;

        before(async () => {
            off = await buildOffline("dev", { "wallmonitor:storeConversationText": "true" });
            on = await buildOffline("dev", {
                "wallmonitor:storeConversationText": "true", "wallmonitor:readUnredactedEvents": "true",
            });
        });

        it("grants the account privilege to the owner role through the admin provider, and only when on", () => {
            expect(unredactedGrants(off)).to.deep.equal([]);
            const [grant, ...more] = unredactedGrants(on);
            expect(more).to.deep.equal([]);
            expect(inputs(grant)).to.include({ accountRoleName: "WALLMONITOR_DEV_OWNER", onAccount: true });
            expect(inputs(grant).privileges).to.deep.equal([READ_UNREDACTED_EVENTS_PRIVILEGE]);
            const admin = on.resources.find((resource) => resource.type === "pulumi:providers:snowflake"
                && inputs(resource).role === "ACCOUNTADMIN")!;
            expect(grant.provider).to.include(`::${admin.name}::`);
        });

        it("shows the grant in the plan's Grants table", () => {
            const row = renderPlan(on).split("\n").find((line) => line.includes(READ_UNREDACTED_EVENTS_PRIVILEGE));
            expect(row).to.match(/WALLMONITOR_DEV_OWNER.*ACCOUNT/);
            expect(renderPlan(off)).not.to.include(READ_UNREDACTED_EVENTS_PRIVILEGE);
        });
    });
});
