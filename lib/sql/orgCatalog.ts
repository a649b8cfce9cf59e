import { WallmonitorConfig } from "../config/stack";
import { ORG_SHARE_SCHEMA } from "../config/org";
import { defaultRegistry, Model, sharedColumns, sharedModels } from "./registry";
import { ident, Identifier, literal, renderSql, RenderedSql } from "./render";
import { AGENT_DAILY_ROLLUP, AGENT_EVENTS_HISTORY, USER_DAILY_ROLLUP } from "./tables";

/**
 * The SQL of organisation-wide monitoring (sql/org/). A member exposes secure views named like
 * the tables and rollup views they read, in the schema ORG_SHARE_SCHEMA; the central account
 * unifies each as `ORG_<NAME>`: its own rows plus every member's, each tagged with SOURCE_ACCOUNT.
 *
 * The central side uses plain views, not dynamic tables or tasks: Snowflake refuses a dynamic
 * table in the consumer over a shared dynamic table, and a view over a share reads the member's
 * current rows at query time (no second copy, nothing to schedule, nothing to fall behind).
 */

/**
 * Columns of the event history that never leave the account: conversation text and anything a
 * user typed (their classification in sql/tables/models.yml).
 */
export const PRIVATE_HISTORY_COLUMNS: readonly string[] = (() => {
    const history = defaultRegistry().model(AGENT_EVENTS_HISTORY.name);
    const shared = sharedColumns(history).map((column) => column.name);
    return history.columns.map((column) => column.name).filter((column) => !shared.includes(column));
})();

/** Shared columns the identity rule governs: user_identity, and error_text that can quote a user. */
function identityGoverned(model: Model): string[] {
    return sharedColumns(model).filter((column) => column.classification === "user_identity" || column.classification === "error_text")
        .map((column) => column.name);
}

/**
 * Columns that identify a user, or (ERROR_MESSAGE) can quote one, across every shared model: a
 * member shares them only as wallmonitor:orgUserIdentity says, each shape through its own
 * template (IDENTITY_TEMPLATES).
 */
export const USER_IDENTITY_COLUMNS: readonly string[] = (() => {
    const { always, when } = sharedModels(defaultRegistry());
    return [...new Set([...always, ...when].flatMap(identityGoverned))];
})();

/** The secure view, in Wallmonitor's own schema, that holds the organisation's identity key (sql/org/identity_key.sql). */
export const ORG_IDENTITY_KEY_VIEW = "ORG_IDENTITY_KEY";

/**
 * Each shape of identity columns and the member template that shares it, most columns first.
 * `readsUserRollup`: the template builds the day's user state from USER_DAILY_ROLLUP (its rows name
 * the users, so the state can be of the shared identities rather than of the names).
 */
const IDENTITY_TEMPLATES: readonly {
    readonly columns: readonly string[]; readonly template: string; readonly qualifier?: string; readonly readsUserRollup?: boolean;
}[] = [
    { columns: ["USER_ID", "USER_NAME", "ERROR_MESSAGE"], template: "org/source_rows_history.sql" },
    { columns: ["USERS", "USERS_HLL"], template: "org/source_rows_agent_users.sql", qualifier: "DAILY", readsUserRollup: true },
    { columns: ["USER_NAME"], template: "org/source_rows_user_name.sql" },
];

/** A table or view a member shares (under its own name) and the central account unifies (as ORG_<NAME>). */
export interface SharedSource {
    readonly name: string;
    /** Listed one by one: only these leave the account, in this order in every account. */
    readonly columns: readonly string[];
}

function sourceOf(model: Model): SharedSource {
    return { name: model.name, columns: sharedColumns(model).map((column) => column.name) };
}

/**
 * The rollup views the dashboard reads (sql/dashboards/rollup_period.sql and the usage views),
 * with their columns; the emulator test compares each unified view with every account's own.
 */
export const SHARED_ROLLUP_VIEWS: readonly SharedSource[] = sharedModels(defaultRegistry()).always
    .filter((model) => model.kind === "view").map(sourceOf);

/** Every account's unified sources (readers: share): the daily rollup tables and the rollup views over them. */
export const UNIFIED_SOURCES: readonly SharedSource[] = sharedModels(defaultRegistry()).always.map(sourceOf);

/** What a member shares: the unified sources, and the models a config switch adds (the history with orgShareRecentHistory). */
export function sharedSources(config: Pick<WallmonitorConfig, "orgShareRecentHistory">): readonly SharedSource[] {
    const conditional = sharedModels(defaultRegistry()).when.filter((model) => config[model.shareWhen!]);
    return [...UNIFIED_SOURCES, ...conditional.map(sourceOf)];
}

/** The central account's unified view over one source. */
export function unifiedViewName(source: { readonly name: string }): string {
    return `ORG_${source.name}`;
}

/** Per account and UTC day, over the unified agent rollup (the Organisation page). */
export const ORG_ACCOUNT_DAILY = "ORG_ACCOUNT_DAILY";

/**
 * Statements rendered one per source, joined by UNION ALL: a template language without loops
 * keeps each branch a whole, separately rendered file. Every branch must return the same columns.
 */
export function unionAll(branches: readonly (Pick<RenderedSql, "text" | "files" | "binds"> & { readonly refs?: readonly string[] })[]): RenderedSql {
    if (branches.length === 0) {
        throw new Error("UNION ALL needs at least one branch");
    }
    return {
        text: branches.map((branch) => branch.text.trim()).join("\nUNION ALL\n"),
        files: [...new Set(branches.flatMap((branch) => branch.files))],
        binds: branches.flatMap((branch) => branch.binds),
        refs: [...new Set(branches.flatMap((branch) => branch.refs ?? []))],
    };
}

function columnList(source: SharedSource) {
    return { list: source.columns.map((column) => ident(column)) };
}

/** `SELECT '<ORG.ACCOUNT>' AS SOURCE_ACCOUNT, <columns> FROM <table or view>` over this stack's copy of `source`. */
function localRows(config: WallmonitorConfig, account: string, source: SharedSource): RenderedSql {
    return renderSql("org/source_rows.sql", {
        SOURCE_ACCOUNT: literal(account),
        COLUMNS: columnList(source),
        SOURCE_TABLE: ident(config.database, config.schema, source.name),
    });
}

/**
 * A member's rows of `source` as the share carries them: identity columns as
 * wallmonitor:orgUserIdentity says (sql/org/source_rows_*.sql), everything else as stored.
 */
function sharedRows(config: WallmonitorConfig, account: string, source: SharedSource): RenderedSql {
    const identity = source.columns.filter((column) => USER_IDENTITY_COLUMNS.includes(column));
    if (identity.length === 0) {
        return localRows(config, account, source);
    }
    const shape = IDENTITY_TEMPLATES.find((candidate) => candidate.columns.length === identity.length &&
        candidate.columns.every((column) => identity.includes(column)));
    if (shape === undefined) {
        throw new Error(`${source.name} shares the identity columns ${identity.join(", ")}, which no sql/org template ` +
            "pseudonymises; add one to IDENTITY_TEMPLATES in lib/orgCatalog.ts");
    }
    const others = source.columns.filter((column) => !identity.includes(column));
    return renderSql(shape.template, {
        SOURCE_ACCOUNT: literal(account),
        COLUMNS: { list: others.map((column) => (shape.qualifier === undefined ? ident(column) : ident(shape.qualifier, column))) },
        SOURCE_TABLE: ident(config.database, config.schema, source.name),
        IDENTITY_KEY_VIEW: ident(config.database, config.schema, ORG_IDENTITY_KEY_VIEW),
        USER_IDENTITY: literal(config.orgUserIdentity),
        ...(shape.readsUserRollup ? { USER_ROLLUP_TABLE: ident(config.database, config.schema, USER_DAILY_ROLLUP.name) } : {}),
    });
}

/** A member's secure views, by name (the source's), each over the table or view of the same name. */
export function buildMemberShareSql(config: WallmonitorConfig, account: string): Record<string, RenderedSql> {
    return Object.fromEntries(sharedSources(config).map((source) => [source.name, sharedRows(config, account, source)]));
}

/**
 * The key view's statement: it holds the secret key (NULL when users are named), so the caller
 * passes its text to Snowflake only as a Pulumi secret and never shows it.
 */
export function identityKeySql(key: string | undefined): RenderedSql {
    return renderSql("org/identity_key.sql", { IDENTITY_KEY: key === undefined ? null : literal(key) });
}

/** One member as the central account reads it: the database created from its share. */
export interface CentralMemberSource {
    readonly name: string;
    readonly database: string;
}

export interface CentralSql {
    /** `ORG_<NAME>` for every daily rollup table and rollup view, then ORG_ACCOUNT_DAILY over the agent rollup. */
    readonly views: Readonly<Record<string, RenderedSql>>;
    /** For each view, the member databases it reads (its dependencies). */
    readonly reads: Readonly<Record<string, readonly string[]>>;
}

/** The central account's unified views: its own rows, then every member's in config order. */
export function buildCentralSql(config: WallmonitorConfig, account: string,
                                members: readonly CentralMemberSource[]): CentralSql {
    const qualified = (name: string): Identifier => ident(config.database, config.schema, name);
    const views: Record<string, RenderedSql> = {};
    const reads: Record<string, readonly string[]> = {};
    for (const source of UNIFIED_SOURCES) {
        views[unifiedViewName(source)] = unionAll([
            localRows(config, account, source),
            ...members.map((member) => renderSql("org/shared_rows.sql", {
                COLUMNS: columnList(source),
                SHARED_VIEW: ident(member.database, ORG_SHARE_SCHEMA, source.name),
            })),
        ]);
        reads[unifiedViewName(source)] = members.map((member) => member.database);
    }
    views[ORG_ACCOUNT_DAILY] = renderSql("org/account_daily.sql", {
        ORG_AGENT_ROLLUP: qualified(unifiedViewName(AGENT_DAILY_ROLLUP)),
    });
    reads[ORG_ACCOUNT_DAILY] = [];
    return { views, reads };
}
