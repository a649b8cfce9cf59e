import * as pulumi from "@pulumi/pulumi";
import * as snowflake from "@pulumi/snowflake";

import { ConnectionConfig, loadOrgIdentityKey, WallmonitorConfig } from "../lib/config/stack";
import { ORG_SHARE_SCHEMA, sourceAccount } from "../lib/config/org";
import { identityKeySql, ORG_IDENTITY_KEY_VIEW } from "../lib/sql/orgCatalog";
import { childName, childOptions, quotedName } from "../lib/pulumi/naming";
import { provider as createRoleProvider } from "../lib/pulumi/providers";
import { RenderedSql } from "../lib/sql/render";

/** `Share` is a preview resource of @pulumi/snowflake 1.3.0; only this component's provider enables it. */
export const SHARE_PREVIEW_FEATURES: readonly string[] = ["snowflake_share_resource"];

export interface MemberShareArgs {
    readonly config: WallmonitorConfig;
    /** Its slice of the stack's catalog: the secure views by name (lib/sql/orgCatalog.ts buildMemberShareSql). */
    readonly sql: Readonly<Record<string, RenderedSql>>;
    /** SOURCE_ACCOUNT of this account's rows (`ORG.ACCOUNT`). */
    readonly sourceAccount: string;
    readonly connection: ConnectionConfig;
    /** Creates the shared schema and its secure views (and so owns them). */
    readonly ownerProvider: pulumi.ProviderResource;
    /** The tables and rollup views the secure views read. */
    readonly dependsOn?: pulumi.Resource[];
    /** The organisation's identity key as a Pulumi secret; by default wallmonitor:orgIdentityKey (lib/config.ts). */
    readonly identityKey?: pulumi.Output<string>;
}

/**
 * A member account's share for the central account: a schema (ORG_SHARE_SCHEMA) of secure views
 * over the daily rollup tables and the rollup views (AGENT_ROLLUP_*, AGENT_USAGE_BY_*) that tag
 * each row with SOURCE_ACCOUNT and list their columns one by one, the share
 * itself, its grants (USAGE on the database and that schema, SELECT on each view, nothing else)
 * and the consumer accounts. The event history is shared only with orgShareRecentHistory, and
 * then without conversation text, retrieval queries, feedback comments or raw attributes.
 */
export class MemberShare extends pulumi.ComponentResource {
    readonly share: snowflake.Share;
    readonly schema: snowflake.Schema;
    readonly views: Readonly<Record<string, snowflake.View>>;
    readonly sql: Readonly<Record<string, RenderedSql>>;
    /** What the share grants, as `PRIVILEGE ON OBJECT`; exported so the central stack and reviewers see it. */
    readonly grantedObjects: readonly string[];
    /** How the share identifies users (wallmonitor:orgUserIdentity). */
    readonly userIdentity: string;
    /** The secure view holding the identity key; never granted to any role or the share. */
    readonly identityKeyView: snowflake.View;

    constructor(name: string, args: MemberShareArgs, opts?: pulumi.ComponentResourceOptions) {
        super("wallmonitor:org:MemberShare", name, {}, opts);
        const { config } = args;
        this.sql = args.sql;
        // Shares are account objects: the administrative role creates the share and its grants.
        const shareProvider = createRoleProvider(`${name}-share-admin`, config.adminRole, SHARE_PREVIEW_FEATURES,
            args.connection, { parent: this });

        this.schema = new snowflake.Schema(childName(name, ORG_SHARE_SCHEMA), {
            database: config.database,
            name: ORG_SHARE_SCHEMA,
            comment: `${config.comment}. What the organisation share exposes: secure views only.`,
        }, childOptions(this, args.ownerProvider, args.dependsOn));
        // The shared views hash users with the organisation's key (sql/org/source_rows_*.sql). It sits
        // in a secure view of Wallmonitor's own schema that nothing is granted on, and its statement
        // reaches Snowflake only as a Pulumi secret (encrypted in state, hidden in previews and plans).
        // A share's consumer sees neither a secure view's definition nor this view:
        // https://docs.snowflake.com/en/user-guide/views-secure
        this.userIdentity = config.orgUserIdentity;
        const identityKey = args.identityKey ?? loadOrgIdentityKey(config);
        this.identityKeyView = new snowflake.View(childName(name, ORG_IDENTITY_KEY_VIEW), {
            database: config.database,
            schema: config.schema,
            name: ORG_IDENTITY_KEY_VIEW,
            isSecure: "true",
            statement: identityKey === undefined ? identityKeySql(undefined).text
                : pulumi.secret(identityKey.apply((key) => identityKeySql(key).text)),
            comment: `${config.comment}. The organisation key for pseudonymous users in the share, granted to no one.`,
            copyGrants: true,
        }, childOptions(this, args.ownerProvider, args.dependsOn));
        this.views = Object.fromEntries(Object.entries(this.sql).map(([viewName, sql]) => [viewName,
            new snowflake.View(childName(name, `${ORG_SHARE_SCHEMA}_${viewName}`), {
                database: config.database,
                schema: ORG_SHARE_SCHEMA,
                name: viewName,
                isSecure: "true",
                statement: sql.text,
                comment: `${config.comment}. Users: ${config.orgUserIdentity} (wallmonitor:orgUserIdentity).`,
                // COPY GRANTS on every CREATE OR REPLACE the provider runs for a changed statement;
                // without it the share's grants on the view vanish until the next up
                // (terraform-provider-snowflake pkg/resources/view.go).
                copyGrants: true,
            }, childOptions(this, args.ownerProvider, [...(args.dependsOn ?? []), this.schema, this.identityKeyView]))]));

        // The provider adds the accounts the way Snowflake requires (only a share holding a
        // database takes accounts), so they can be declared on the share itself.
        this.share = new snowflake.Share(childName(name, config.orgShareName), {
            name: config.orgShareName,
            accounts: (config.orgConsumerAccounts ?? []).map(sourceAccount),
            comment: `${config.comment}. Wallmonitor rollups of ${args.sourceAccount} for the central account; ` +
                `users ${config.orgUserIdentity}.`,
        }, childOptions(this, shareProvider));

        const granted: string[] = [];
        const grant = (suffix: string, privilege: string, on: Omit<snowflake.GrantPrivilegesToShareArgs, "privileges" | "toShare">,
                       dependsOn: pulumi.Resource[]) => {
            granted.push(`${privilege} ON ${Object.values(on)[0] as string}`);
            return new snowflake.GrantPrivilegesToShare(childName(name, `share_${suffix}`), {
                toShare: this.share.name,
                privileges: [privilege],
                ...on,
            }, childOptions(this, shareProvider, [this.share, ...dependsOn]));
        };
        const databaseGrant = grant("usage_database", "USAGE", { onDatabase: quotedName(config.database) }, []);
        const schemaGrant = grant("usage_schema", "USAGE", { onSchema: quotedName(config.database, ORG_SHARE_SCHEMA) },
            [databaseGrant, this.schema]);
        for (const [viewName, view] of Object.entries(this.views)) {
            grant(`select_${viewName}`, "SELECT", { onView: quotedName(config.database, ORG_SHARE_SCHEMA, viewName) },
                [schemaGrant, view]);
        }
        this.grantedObjects = granted;

        this.registerOutputs({});
    }
}
