import { expect } from "chai";

import { USAGE_VIEWER_DATABASE_ROLE } from "../components/access";
import { parseConfig, WallmonitorConfig } from "../lib/config/stack";
import { COST_VIEW_NAMES, VIEWER_COST_VIEWS } from "../lib/sql/costCatalog";
import { buildOffline, OfflineBuild, readStackConfig, RecordedResource } from "../plan/offline";

const SNOWFLAKE = "snowflake:index/";
const inputs = (resource: RecordedResource) => resource.inputs as Record<string, any>;

describe("the cost component on the mock runtime", () => {
    let build: OfflineBuild;
    let config: WallmonitorConfig;

    before(async () => {
        build = await buildOffline("dev");
        const raw = readStackConfig("dev");
        config = parseConfig({ get: (key) => raw[`wallmonitor:${key}`] });
    });

    const role = (resource: RecordedResource) => build.resources.find((candidate) =>
        candidate.type === "pulumi:providers:snowflake" && resource.provider?.includes(`::${candidate.name}::`))?.inputs.role;

    it("lets the owner role read ACCOUNT_USAGE through SNOWFLAKE.USAGE_VIEWER, granted by the admin role", () => {
        // Through Wallmonitor's provider (provider/grant.ts): the Snowflake provider re-grants SNOWFLAKE.* roles.
        const grants = build.resources.filter((resource) => resource.type === "pulumi-nodejs:dynamic/wallmonitor:Grant"
            && inputs(resource).on === USAGE_VIEWER_DATABASE_ROLE);
        expect(grants).to.have.length(1);
        expect(inputs(grants[0]).grantee).to.equal(config.ownerRole);
        expect(inputs(grants[0]).adminRole).to.equal(config.adminRole);
        expect(inputs(grants[0]).grant.text).to.match(new RegExp(`\\nGRANT DATABASE ROLE SNOWFLAKE\\.USAGE_VIEWER TO ROLE ${config.ownerRole}$`));
    });

    it("declares every cost view as the owner role", () => {
        const views = build.resources.filter((resource) => resource.type === `${SNOWFLAKE}view:View`
            && (COST_VIEW_NAMES as readonly string[]).includes(inputs(resource).name));
        expect(views.map((view) => inputs(view).name).sort()).to.deep.equal([...COST_VIEW_NAMES].sort());
        for (const view of views) {
            expect(role(view), view.name).to.equal(config.ownerRole);
            expect(view.name.endsWith(`-cost-${inputs(view).name.toLowerCase().replace(/_/g, "-")}`), view.name).to.equal(true);
        }
    });

    it("gives the viewer role SELECT on the cost aggregates only, never on the per-request views", () => {
        const granted = build.resources
            .filter((resource) => resource.type === `${SNOWFLAKE}grantPrivilegesToAccountRole:GrantPrivilegesToAccountRole`
                && inputs(resource).accountRoleName === config.viewerRole)
            .map((grant) => inputs(grant).onSchemaObject?.objectName as string | undefined)
            .filter((name): name is string => name !== undefined)
            .map((name) => name.split(".").pop()!.replace(/"/g, ""))
            .filter((name) => (COST_VIEW_NAMES as readonly string[]).includes(name));
        expect(granted.sort()).to.deep.equal([...VIEWER_COST_VIEWS].sort());
        for (const perRequest of ["COST_LEDGER", "COST_LEDGER_BY_MODEL", "COST_REQUESTS", "COST_REQUEST_MODELS", "COST_USAGE"]) {
            expect(granted).not.to.include(perRequest);
        }
    });
});
