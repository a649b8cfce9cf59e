import * as pulumi from "@pulumi/pulumi";
import * as snowflake from "@pulumi/snowflake";

import { loadOrgIdentityKey, WallmonitorConfig } from "../lib/config/stack";
import { checkSameRegion, memberDatabaseName, OrgMember, OrgShareOutput, sharePath } from "../lib/config/org";
import { CentralSql } from "../lib/sql/orgCatalog";
import { childName, childOptions, quotedName } from "../lib/pulumi/naming";

/** The output a member stack exports and a central stack reads through a StackReference. */
export const ORG_SHARE_OUTPUT = "orgShare";

export interface CentralArgs {
    readonly config: WallmonitorConfig;
    /** Its slice of the stack's catalog: the unified views over this account and the members' databases. */
    readonly sql: CentralSql;
    /** Creates the databases from the shares (IMPORT SHARE) and grants the owner role their imported privileges. */
    readonly adminProvider: pulumi.ProviderResource;
    /** Creates the unified views and grants the viewer role SELECT on them. */
    readonly ownerProvider: pulumi.ProviderResource;
    readonly ownerRoleName: pulumi.Input<string>;
    readonly viewerRoleName: pulumi.Input<string>;
    /** The local rollup tables and views the unified views read. */
    readonly dependsOn?: pulumi.Resource[];
}

/**
 * The central account: one database per member, created from the member's share and named
 * `<orgDatabasePrefix>_<MEMBER>`, and views `ORG_<NAME>` that unify every daily rollup table and
 * rollup view over the central account's own rows and every member's (UNION ALL, each row tagged SOURCE_ACCOUNT),
 * plus ORG_ACCOUNT_DAILY for the Organisation page. Views, not dynamic tables or tasks: a view
 * over a share is read at query time, so nothing copies or falls behind.
 */
export class Central extends pulumi.ComponentResource {
    readonly memberDatabases: Readonly<Record<string, snowflake.SharedDatabase>>;
    readonly views: Readonly<Record<string, snowflake.View>>;
    readonly sql: CentralSql;
    /** Every member's database, created from its share or (a listing member) mounted by an administrator. */
    readonly memberDatabaseNames: Readonly<Record<string, string>>;
    /** Each member's share path (`"ORG"."ACCOUNT"."SHARE"`), from config or the member stack's output. */
    readonly memberShares: Readonly<Record<string, pulumi.Output<string>>>;

    constructor(name: string, args: CentralArgs, opts?: pulumi.ComponentResourceOptions) {
        super("wallmonitor:org:Central", name, {}, opts);
        const { config } = args;
        // Refuses the members' identity key here: with it the central account could undo their pseudonyms.
        loadOrgIdentityKey(config);
        const members = config.orgMembers ?? [];
        this.sql = args.sql;

        const shares: Record<string, pulumi.Output<string>> = {};
        const databases: Record<string, snowflake.SharedDatabase> = {};
        const imported: pulumi.Resource[] = [];
        this.memberDatabaseNames = Object.fromEntries(members.map((member) =>
            [member.name, memberDatabaseName(config.orgDatabasePrefix, member.name)]));
        for (const member of members) {
            const databaseName = this.memberDatabaseNames[member.name];
            // A listing member's database is mounted by an administrator (CREATE DATABASE ... FROM LISTING).
            if (member.kind !== "listing") {
                shares[member.name] = this.sharePathOf(name, member, config.orgRegion);
                databases[member.name] = new snowflake.SharedDatabase(childName(name, databaseName), {
                    name: databaseName,
                    fromShare: shares[member.name],
                    comment: `${config.comment}. Wallmonitor rollups shared by member ${member.name}.`,
                }, childOptions(this, args.adminProvider));
            }
            // The views are the owner role's: it needs the shared database's imported privileges.
            imported.push(new snowflake.GrantPrivilegesToAccountRole(childName(name, `owner_imported_${databaseName}`), {
                accountRoleName: args.ownerRoleName,
                privileges: ["IMPORTED PRIVILEGES"],
                onAccountObject: { objectType: "DATABASE", objectName: quotedName(databaseName) },
            }, childOptions(this, args.adminProvider, databases[member.name] === undefined ? [] : [databases[member.name]])));
        }
        this.memberShares = shares;
        this.memberDatabases = databases;

        const views: Record<string, snowflake.View> = {};
        for (const [viewName, sql] of Object.entries(this.sql.views)) {
            // ORG_ACCOUNT_DAILY reads the unified agent rollup, declared before it.
            const readsViews = Object.values(views);
            views[viewName] = new snowflake.View(childName(name, viewName), {
                database: config.database,
                schema: config.schema,
                name: viewName,
                statement: sql.text,
                comment: `${config.comment}. Organisation-wide: every row carries SOURCE_ACCOUNT.`,
                // COPY GRANTS on every CREATE OR REPLACE the provider runs for a changed statement;
                // without it the grants on the view vanish until the next up
                // (terraform-provider-snowflake pkg/resources/view.go).
                copyGrants: true,
            }, childOptions(this, args.ownerProvider, [...(args.dependsOn ?? []), ...imported, ...readsViews]));
            new snowflake.GrantPrivilegesToAccountRole(childName(name, `viewer_select_${viewName}`), {
                accountRoleName: args.viewerRoleName,
                privileges: ["SELECT"],
                onSchemaObject: { objectType: "VIEW", objectName: quotedName(config.database, config.schema, viewName) },
            }, childOptions(this, args.ownerProvider, [views[viewName]]));
        }
        this.views = views;
        this.registerOutputs({});
    }

    /**
     * A member named in config gives its share path directly; one given as a stack is read from
     * that stack's `orgShare` output, and a member there in another region fails the update
     * before its database is created.
     */
    private sharePathOf(name: string, member: Exclude<OrgMember, { kind: "listing" }>, region: string | undefined): pulumi.Output<string> {
        if (member.kind === "config") {
            return pulumi.output(sharePath(member));
        }
        const reference = new pulumi.StackReference(childName(name, `member_${member.name}`), { name: member.stack },
            { parent: this });
        return reference.requireOutput(ORG_SHARE_OUTPUT).apply((value) => {
            const share = value as Partial<OrgShareOutput>;
            if (typeof share?.organization !== "string" || typeof share.account !== "string" || typeof share.share !== "string") {
                throw new Error(`member ${member.name}: stack ${member.stack} exports no usable ${ORG_SHARE_OUTPUT} ` +
                    "(organization, account, share); is it a member stack (wallmonitor:accountRole member) that has been deployed?");
            }
            checkSameRegion("orgMembers", `member ${member.name} (stack ${member.stack})`, share.region, region,
                (key, message) => new Error(`wallmonitor:${key}: ${message}`));
            return sharePath({ organization: share.organization, account: share.account, share: share.share });
        });
    }
}
