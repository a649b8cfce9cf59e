import { WallmonitorConfig } from "./config";
import { ORG_SHARE_SCHEMA } from "./orgConfig";
import { ident, Identifier, literal, renderSql, RenderedSql } from "./sql";
import { AGENT_DAILY_ROLLUP, AGENT_EVENTS_HISTORY, ROLLUP_TABLES, TableDefinition } from "./tables";

/**
 * The SQL of organisation-wide monitoring (sql/org/). A member exposes secure views named like
 * the tables they read, in the schema ORG_SHARE_SCHEMA; the central account unifies them, per
 * table, as `ORG_<TABLE>`: its own rows plus every member's, each tagged with SOURCE_ACCOUNT.
 *
 * The central side uses plain views, not dynamic tables or tasks: Snowflake refuses a dynamic
 * table in the consumer over a shared dynamic table, and a view over a share reads the member's
 * current rows at query time (no second copy, nothing to schedule, nothing to fall behind).
 */

/** Columns of the event history that never leave the account: conversation text and anything a user typed. */
export const PRIVATE_HISTORY_COLUMNS: readonly string[] = [
    "QUESTION_TEXT", "ANSWER_TEXT", "RAW_ATTRIBUTES", "RETRIEVAL_QUERY", "FEEDBACK_MESSAGE",
];

/** The tables a member may share: the daily rollups always, the history only with orgShareRecentHistory. */
export function sharedTables(config: Pick<WallmonitorConfig, "orgShareRecentHistory">): readonly TableDefinition[] {
    return config.orgShareRecentHistory ? [...ROLLUP_TABLES, AGENT_EVENTS_HISTORY] : ROLLUP_TABLES;
}

/** The columns a table is shared with, in its own order. */
export function sharedColumns(table: TableDefinition): string[] {
    return table.columns.map((column) => column.name)
        .filter((column) => table !== AGENT_EVENTS_HISTORY || !PRIVATE_HISTORY_COLUMNS.includes(column));
}

/** The central account's unified view over one table. */
export function unifiedViewName(table: TableDefinition): string {
    return `ORG_${table.name}`;
}

/** Per account and UTC day, over the unified agent rollup (the Organisation page). */
export const ORG_ACCOUNT_DAILY = "ORG_ACCOUNT_DAILY";

/**
 * Statements rendered one per source, joined by UNION ALL: a template language without loops
 * keeps each branch a whole, separately rendered file. Every branch must return the same columns.
 */
export function unionAll(branches: readonly RenderedSql[]): RenderedSql {
    if (branches.length === 0) {
        throw new Error("UNION ALL needs at least one branch");
    }
    return {
        text: branches.map((branch) => branch.text.trim()).join("\nUNION ALL\n"),
        files: [...new Set(branches.flatMap((branch) => branch.files))],
    };
}

function columnList(table: TableDefinition) {
    return { list: sharedColumns(table).map((column) => ident(column)) };
}

/** `SELECT '<ORG.ACCOUNT>' AS SOURCE_ACCOUNT, <columns> FROM <table>` over this stack's copy of `table`. */
function localRows(config: WallmonitorConfig, source: string, table: TableDefinition): RenderedSql {
    return renderSql("org/source_rows.sql", {
        SOURCE_ACCOUNT: literal(source),
        COLUMNS: columnList(table),
        SOURCE_TABLE: ident(config.database, config.schema, table.name),
    });
}

/** A member's secure views, by name (the table's), each over the table of the same name. */
export function buildMemberShareSql(config: WallmonitorConfig, source: string): Record<string, RenderedSql> {
    return Object.fromEntries(sharedTables(config).map((table) => [table.name, localRows(config, source, table)]));
}

/** One member as the central account reads it: the database created from its share. */
export interface CentralMemberSource {
    readonly name: string;
    readonly database: string;
}

export interface CentralSql {
    /** `ORG_<TABLE>` for every daily rollup, then ORG_ACCOUNT_DAILY over the agent rollup. */
    readonly views: Readonly<Record<string, RenderedSql>>;
    /** For each view, the member databases it reads (its dependencies). */
    readonly reads: Readonly<Record<string, readonly string[]>>;
}

/** The central account's unified views: its own rows, then every member's in config order. */
export function buildCentralSql(config: WallmonitorConfig, source: string,
                                members: readonly CentralMemberSource[]): CentralSql {
    const qualified = (name: string): Identifier => ident(config.database, config.schema, name);
    const views: Record<string, RenderedSql> = {};
    const reads: Record<string, readonly string[]> = {};
    for (const table of ROLLUP_TABLES) {
        views[unifiedViewName(table)] = unionAll([
            localRows(config, source, table),
            ...members.map((member) => renderSql("org/shared_rows.sql", {
                COLUMNS: columnList(table),
                SHARED_VIEW: ident(member.database, ORG_SHARE_SCHEMA, table.name),
            })),
        ]);
        reads[unifiedViewName(table)] = members.map((member) => member.database);
    }
    views[ORG_ACCOUNT_DAILY] = renderSql("org/account_daily.sql", {
        ORG_AGENT_ROLLUP: qualified(unifiedViewName(AGENT_DAILY_ROLLUP)),
    });
    reads[ORG_ACCOUNT_DAILY] = [];
    return { views, reads };
}
