import { IDENTIFIER_PATTERN } from "../sql/identifier";

/**
 * The organisation keys of the stack configuration (`accountRole`, `org*`), parsed and validated
 * for lib/config/stack.ts. A member shares its rollups with the central account; the central account
 * reads every member's share and unifies them with its own data.
 *
 * Structured values are JSON strings in the stack file, validated here, and every error is a
 * ConfigError that names the key and the fix, thrown before any resource is declared.
 */

export const ACCOUNT_ROLES = ["standalone", "member", "central"] as const;
export type AccountRole = (typeof ACCOUNT_ROLES)[number];

/** The schema, in a member's database, that holds exactly what its share exposes. */
export const ORG_SHARE_SCHEMA = "WALLMONITOR_SHARED";

/** A Snowflake region name as `SELECT CURRENT_REGION()` prints it, without the region group (AWS_EU_WEST_1). */
export const REGION_PATTERN = /^[A-Z][A-Z0-9_]{2,63}$/;
/** `organization/project/stack` or `organization/stack`, as `pulumi stack ls` names stacks. */
export const STACK_REFERENCE_PATTERN = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+){1,2}$/;

/** An account in the organisation that may read a member's share. */
export interface OrgAccount {
    readonly organization: string;
    readonly account: string;
    /** The account's region; when given it must be this account's (direct shares stay in a region). */
    readonly region?: string;
}

/**
 * A member the central account reads: its share named in config, read from the member stack's
 * outputs, or (another region) a database an administrator mounted from the member's listing.
 */
export type OrgMember =
    | { readonly name: string; readonly kind: "config"; readonly organization: string; readonly account: string;
        readonly share: string; readonly region?: string }
    | { readonly name: string; readonly kind: "stack"; readonly stack: string }
    | { readonly name: string; readonly kind: "listing" };

/** What a member stack exports as `orgShare`, and a central stack reads through a StackReference. */
export interface OrgShareOutput {
    readonly organization: string;
    readonly account: string;
    readonly share: string;
    readonly region?: string;
}

/** Raised as lib/config/reader.ts's ConfigError; a callback, as lib/sql/historyColumns.ts and the entry point raise it too. */
export type ConfigErrorFactory = (key: string, message: string) => Error;

function parseJsonList(key: string, value: string | undefined, error: ConfigErrorFactory, example: string): unknown[] | undefined {
    if (value === undefined) {
        return undefined;
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(value);
    } catch {
        throw error(key, `is not valid JSON. Give a JSON list, for example ${example}.`);
    }
    if (!Array.isArray(parsed)) {
        throw error(key, `must be a JSON list, for example ${example}.`);
    }
    return parsed;
}

function name(key: string, value: unknown, what: string, error: ConfigErrorFactory): string {
    if (typeof value !== "string" || !IDENTIFIER_PATTERN.test(value)) {
        throw error(key, `${what} ${JSON.stringify(value)} is not an unquoted UPPERCASE Snowflake identifier ` +
            "(letters A-Z, digits, _ and $).");
    }
    return value;
}

function region(key: string, value: unknown, error: ConfigErrorFactory): string | undefined {
    if (value === undefined) {
        return undefined;
    }
    if (typeof value !== "string" || !REGION_PATTERN.test(value)) {
        throw error(key, `region ${JSON.stringify(value)} is not a Snowflake region as CURRENT_REGION() prints it ` +
            "(for example AWS_EU_WEST_1).");
    }
    return value;
}

/** `"ORG.ACCOUNT"` or `{"account": "ORG.ACCOUNT", "region": "AWS_EU_WEST_1"}`. */
export function parseConsumerAccounts(value: string | undefined, error: ConfigErrorFactory): OrgAccount[] | undefined {
    const key = "orgConsumerAccounts";
    const items = parseJsonList(key, value, error, '["ACME.CENTRAL"] or [{"account": "ACME.CENTRAL", "region": "AWS_EU_WEST_1"}]');
    return items?.map((item) => {
        const entry = typeof item === "string" ? { account: item } : item as Record<string, unknown>;
        if (entry === null || typeof entry !== "object" || typeof entry.account !== "string") {
            throw error(key, `entry ${JSON.stringify(item)} is neither "ORG.ACCOUNT" nor {"account": "ORG.ACCOUNT", "region": ...}.`);
        }
        const parts = entry.account.split(".");
        if (parts.length !== 2) {
            throw error(key, `account "${entry.account}" must be ORGANIZATION.ACCOUNT_NAME (for example ACME.CENTRAL); ` +
                "account locators are not accepted by shares.");
        }
        const unknown = Object.keys(entry).filter((field) => field !== "account" && field !== "region");
        if (unknown.length > 0) {
            throw error(key, `entry for ${entry.account} has unknown fields ${unknown.join(", ")}; accepted: account, region.`);
        }
        return {
            organization: name(key, parts[0], "organization", error),
            account: name(key, parts[1], "account", error),
            region: region(key, entry.region, error),
        };
    });
}

/** `{"name", "organization", "account", "share"?, "region"?}` or `{"name", "stack"}`. */
export function parseMembers(value: string | undefined, defaultShare: string, error: ConfigErrorFactory): OrgMember[] | undefined {
    const key = "orgMembers";
    const items = parseJsonList(key, value, error,
        '[{"name": "EU", "organization": "ACME", "account": "ANALYTICS_EU", "region": "AWS_EU_WEST_1"}, ' +
        '{"name": "US", "stack": "acme/wallmonitor/member-us"}]');
    const members = items?.map((item): OrgMember => {
        if (item === null || typeof item !== "object" || Array.isArray(item)) {
            throw error(key, `entry ${JSON.stringify(item)} must be an object with a name.`);
        }
        const entry = item as Record<string, unknown>;
        const memberName = name(key, entry.name, "member name", error);
        const form = entry.stack !== undefined ? "a stack reference" : entry.via === "listing" ? "a listing" : "an account";
        const allowed = { "a stack reference": ["name", "stack"], "a listing": ["name", "via"],
            "an account": ["name", "organization", "account", "share", "region", "via"] }[form];
        const unknown = Object.keys(entry).filter((field) => !allowed.includes(field));
        if (unknown.length > 0) {
            throw error(key, `member ${memberName} has fields ${unknown.join(", ")} that do not belong with ` +
                `${form}; accepted: ${allowed.join(", ")}.`);
        }
        if (entry.via !== undefined && entry.via !== "share" && entry.via !== "listing") {
            throw error(key, `member ${memberName}: via ${JSON.stringify(entry.via)} is neither "share" (the default) nor "listing".`);
        }
        if (entry.via === "listing") {
            return { name: memberName, kind: "listing" };
        }
        if (entry.stack !== undefined) {
            if (typeof entry.stack !== "string" || !STACK_REFERENCE_PATTERN.test(entry.stack)) {
                throw error(key, `member ${memberName}: stack ${JSON.stringify(entry.stack)} is not a stack name such as ` +
                    "acme/wallmonitor/member-eu.");
            }
            return { name: memberName, kind: "stack", stack: entry.stack };
        }
        return {
            name: memberName,
            kind: "config",
            organization: name(key, entry.organization, `member ${memberName}: organization`, error),
            account: name(key, entry.account, `member ${memberName}: account`, error),
            share: entry.share === undefined ? defaultShare : name(key, entry.share, `member ${memberName}: share`, error),
            region: region(key, entry.region, error),
        };
    });
    const seen = new Set<string>();
    for (const member of members ?? []) {
        if (seen.has(member.name)) {
            throw error(key, `member name ${member.name} is used twice; each member gets its own database, named from it.`);
        }
        seen.add(member.name);
    }
    return members;
}

/**
 * Direct shares work only within one region; another region needs a listing (see the README,
 * "Org-wide rollout"). Checked before anything is created, so no half-made share is left.
 */
export function checkSameRegion(key: string, who: string, theirRegion: string | undefined, ourRegion: string | undefined,
                                error: ConfigErrorFactory): void {
    if (theirRegion === undefined || theirRegion === ourRegion) {
        return;
    }
    if (ourRegion === undefined) {
        throw error("orgRegion", `is needed because ${key} gives ${who} the region ${theirRegion}: set it to this account's ` +
            "region (SELECT CURRENT_REGION()) so that a cross-region pair is refused before anything is created.");
    }
    throw error(key, `${who} is in ${theirRegion} but this account is in ${ourRegion}: a direct share cannot cross ` +
        "regions. Publish the member's share as a private listing with cross-cloud auto-fulfillment and mount it on the " +
        "central account (README, \"Org-wide rollout\"), or remove the entry.");
}

/** The predictable name of the database the central account creates from a member's share. */
export function memberDatabaseName(prefix: string, memberName: string): string {
    return `${prefix}_${memberName}`;
}

/** `ORG.ACCOUNT`: the value of SOURCE_ACCOUNT for rows from that account. */
export function sourceAccount(account: { organization: string; account: string }): string {
    return `${account.organization}.${account.account}`;
}

/** The Snowflake provider's form of a share's path: `"ORG"."ACCOUNT"."SHARE"`. */
export function sharePath(share: OrgShareOutput): string {
    const bad = [share.organization, share.account, share.share].find((part) => !IDENTIFIER_PATTERN.test(part));
    if (bad !== undefined) {
        throw new Error(`${JSON.stringify(bad)} in the share path of ${share.organization}.${share.account} is not an ` +
            "unquoted UPPERCASE Snowflake identifier");
    }
    return [share.organization, share.account, share.share].map((part) => `"${part}"`).join(".");
}

/**
 * How a member's share identifies users (USER_NAME, USER_ID, the daily USERS_HLL states and the
 * older days' USERS sets):
 * - `none`: no identity; USER_NAME and USER_ID are NULL, and the daily states and sets are of keyed
 *   hashes salted with the day, so a day's distinct users still count but no user can be
 *   followed from one day to the next;
 * - `pseudonymous` (the default): a keyed hash, the same for one user on every day and in every
 *   member that shares the organisation's key (wallmonitor:orgIdentityKey), so the central
 *   account can count and follow a user without learning who it is;
 * - `named`: the names as stored, and the history's ERROR_MESSAGE text with them.
 */
export const ORG_USER_IDENTITIES = ["none", "pseudonymous", "named"] as const;
export type OrgUserIdentity = (typeof ORG_USER_IDENTITIES)[number];

/** The Pulumi secret (set once per organisation, the same in every member stack) that keys the user hash. */
export const ORG_IDENTITY_KEY = "orgIdentityKey";
/** At least this many characters: a short key could be guessed, and with it every user name behind a hash. */
export const ORG_IDENTITY_KEY_MIN_LENGTH = 32;

/** Letters, digits and + / = _ - (what `openssl rand -base64 32` prints): a SQL literal can carry it unchanged. */
export const ORG_IDENTITY_KEY_PATTERN = /^[A-Za-z0-9+/=_-]+$/;

/**
 * A member that does not name users needs the organisation's key; the central account must never
 * hold it, because with it the central account could hash candidate names and undo the pseudonyms.
 * The value is never repeated in a message.
 */
export function checkOrgIdentityKey(settings: Pick<OrgSettings, "accountRole" | "orgUserIdentity">, key: string | undefined,
                                    error: ConfigErrorFactory): void {
    const setIt = `Set it once per organisation (for example openssl rand -base64 32) with ` +
        `\`pulumi config set --secret wallmonitor:${ORG_IDENTITY_KEY}\`, the same value in every member stack`;
    if (settings.accountRole === "central" && key !== undefined) {
        throw error(ORG_IDENTITY_KEY, "is set on the central stack: the central account must not hold the members' key, " +
            "or it could undo their pseudonyms by hashing candidate names. Remove it from this stack.");
    }
    if (settings.accountRole !== "member" || settings.orgUserIdentity === "named") {
        return;
    }
    if (key === undefined) {
        throw error(ORG_IDENTITY_KEY, `is required because wallmonitor:orgUserIdentity is ${settings.orgUserIdentity}: ` +
            `the share carries users as keyed hashes. ${setIt}.`);
    }
    if (key.length < ORG_IDENTITY_KEY_MIN_LENGTH || !ORG_IDENTITY_KEY_PATTERN.test(key)) {
        throw error(ORG_IDENTITY_KEY, `must be at least ${ORG_IDENTITY_KEY_MIN_LENGTH} characters of letters, digits and ` +
            `+ / = _ - (the value is not shown). ${setIt}.`);
    }
}

/**
 * The offline build has no secrets: a member stack that needs the identity key gets this
 * placeholder, marked secret, so its plan builds (the key view's statement is never shown).
 */
export const OFFLINE_IDENTITY_KEY = "offline-plan-placeholder-not-a-real-organisation-key";

export function offlineSecrets(config: Readonly<Record<string, string>>): Record<string, string> {
    const key = `wallmonitor:${ORG_IDENTITY_KEY}`;
    return (config["wallmonitor:accountRole"] ?? "").toLowerCase() === "member" && config[key] === undefined
        ? { [key]: OFFLINE_IDENTITY_KEY } : {};
}

/** The organisation keys of a parsed config, as lib/config/stack.ts declares them. */
export interface OrgSettings {
    readonly accountRole: AccountRole;
    readonly orgShareName: string;
    readonly orgConsumerAccounts: readonly OrgAccount[] | undefined;
    readonly orgShareRecentHistory: boolean;
    readonly orgRegion: string | undefined;
    readonly orgMembers: readonly OrgMember[] | undefined;
    readonly orgDatabasePrefix: string;
    /** How the member's share identifies users; see ORG_USER_IDENTITIES. */
    readonly orgUserIdentity: OrgUserIdentity;
    readonly database: string;
}

/** Each key is read by one role only: a key set for another role is a mistake, said before anything is created. */
export function checkOrgSettings(settings: OrgSettings, error: ConfigErrorFactory): void {
    const role = settings.accountRole;
    const only = (key: string, owner: AccountRole, set: boolean) => {
        if (set && role !== owner) {
            throw error(key, `is read only by a ${owner} stack, and wallmonitor:accountRole is ${role}; ` +
                `remove it, or set accountRole to ${owner}.`);
        }
    };
    only("orgConsumerAccounts", "member", settings.orgConsumerAccounts !== undefined);
    only("orgShareRecentHistory", "member", settings.orgShareRecentHistory);
    only("orgMembers", "central", settings.orgMembers !== undefined);
    if (role === "member") {
        if ((settings.orgConsumerAccounts ?? []).length === 0) {
            throw error("orgConsumerAccounts", "is required for a member: list the central account that may read the " +
                'share, for example ["ACME.CENTRAL"].');
        }
        for (const consumer of settings.orgConsumerAccounts ?? []) {
            checkSameRegion("orgConsumerAccounts", `consumer ${sourceAccount(consumer)}`, consumer.region, settings.orgRegion, error);
        }
    }
    if (role === "central") {
        if (settings.orgMembers === undefined) {
            throw error("orgMembers", "is required for a central stack: list the members, for example " +
                '[{"name": "EU", "organization": "ACME", "account": "ANALYTICS_EU"}] (an empty list [] unifies only this account).');
        }
        for (const member of settings.orgMembers) {
            if (member.kind === "config") {
                checkSameRegion("orgMembers", `member ${member.name}`, member.region, settings.orgRegion, error);
            }
            if (memberDatabaseName(settings.orgDatabasePrefix, member.name) === settings.database) {
                throw error("orgDatabasePrefix", `makes member ${member.name}'s database ${settings.database}, the ` +
                    "database Wallmonitor itself uses; choose another prefix or member name.");
            }
        }
    }
}

/**
 * SOURCE_ACCOUNT of this stack's own rows: `snowflake:organizationName` and `snowflake:accountName`
 * (the provider's connection keys), required of a member or central stack.
 */
export function ownSourceAccount(role: AccountRole, connection: { organizationName?: string; accountName?: string },
                                 error: ConfigErrorFactory): string | undefined {
    if (role === "standalone") {
        return undefined;
    }
    const organization = connection.organizationName;
    const account = connection.accountName;
    if (organization === undefined || account === undefined || !IDENTIFIER_PATTERN.test(organization) || !IDENTIFIER_PATTERN.test(account)) {
        throw error("accountRole", `${role} needs snowflake:organizationName and snowflake:accountName in the stack file as ` +
            "UPPERCASE names (SELECT CURRENT_ORGANIZATION_NAME(), CURRENT_ACCOUNT_NAME()): every shared row is tagged " +
            "with them as SOURCE_ACCOUNT.");
    }
    return sourceAccount({ organization, account });
}
