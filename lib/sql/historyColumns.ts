import { TABLES } from "./tables";

/**
 * Column changes that lose data or never settle, on the tables that hold history.
 *
 * The Snowflake provider behind @pulumi/snowflake applies a removed or renamed column as
 * `ALTER TABLE … DROP COLUMN` in place and never replaces the table, so `protect` does not stop
 * it and the column's data is gone (terraform-provider-snowflake pkg/resources/table.go; its
 * issues 1210 and 3677). It adds a new column at the end, and reads the columns back in DESCRIBE
 * order, so a column declared anywhere but at the end differs from state on every preview
 * (pkg/resources/table.go, the read of `column`). A changed type is an ALTER that Snowflake
 * refuses for most conversions and that truncates or reinterprets data where it allows one
 * (https://docs.snowflake.com/en/sql-reference/sql/alter-table-column).
 *
 * So, on a history table: columns are only appended; a dropped, renamed, retyped, inserted or
 * moved column is a risky change in the plan diff and a policy violation, unless the stack
 * allows that column's change in `wallmonitor:allowColumnChanges`.
 */

/**
 * Every Wallmonitor table and the history it holds: all of them, because each holds rows that
 * cannot be recomputed once dropped (events past the source's retention, rollups past
 * historyDays, watermarks, alert incidents, the hand-edited registry). A test keeps this equal
 * to lib/tables.ts's TABLES, so a new table has to say what it holds.
 */
export const HISTORY_TABLES: Readonly<Record<string, string>> = {
    AGENT_REGISTRY: "state: the agents ingested, edited by hand",
    AGENT_INGEST_STATE: "state: per-agent watermarks and refresh outcomes",
    INGEST_CYCLE_STATE: "state: the last ingestion cycle, its condition and the event-table discovery point",
    AGENT_SHAPE_COVERAGE: "state: each ingestion cycle's attribute coverage and unrecognised span names, kept historyDays",
    AGENT_VERSION_SNAPSHOTS: "state: each agent version's aliases, default flag and spec hashes, one row per change seen at discovery",
    AGENT_EVENTS_HISTORY: "events: parsed agent events, kept historyDays",
    AGENT_DAILY_ROLLUP: "rollups: per agent and day, kept rollupRetentionDays",
    USER_DAILY_ROLLUP: "rollups: per user and day, kept rollupRetentionDays",
    MODEL_DAILY_ROLLUP: "rollups: per model and day, kept rollupRetentionDays",
    TOOL_DAILY_ROLLUP: "rollups: per tool and day, kept rollupRetentionDays",
    AGENT_DAILY_LATENCY: "rollups: latency histograms per day, kept rollupRetentionDays",
    ROLLUP_DAY_STATE: "state: the ledger of which history each day was rolled up from",
    ROLLUP_LOAD_STATE: "state: how far the history is merged into the rollups",
    ROLLUP_MERGED_TRACES: "state: the traces merged into the rollups per day, marked or not, kept historyDays",
    ALERT_STATE: "state: open incidents, cooldowns and recoveries",
    ALERT_HISTORY: "alert history: every firing, escalation, recovery and notification",
};

export interface ColumnSpec {
    readonly name: string;
    readonly type: string;
}

export type ColumnChangeKind = "dropped" | "renamed" | "retyped" | "inserted" | "moved";

export interface ColumnChange {
    readonly table: string;
    readonly change: ColumnChangeKind;
    /** The column whose change `allowColumnChanges` must name: the old one, or for an insertion the new one. */
    readonly column: string;
    /** What happens, in words. */
    readonly detail: string;
}

/** Columns per history table whose change a stack accepts (`wallmonitor:allowColumnChanges`). */
export type AllowedColumnChanges = Readonly<Record<string, readonly string[]>>;

/** The last part of a possibly qualified, possibly quoted table name. */
export function tableBaseName(name: unknown): string {
    return typeof name === "string" ? (name.split(".").pop() ?? "").replace(/"/g, "").toUpperCase() : "";
}

/** `{name, type}` of a Table resource's `columns` input; undefined when it is not a list (unknown at preview). */
export function columnSpecs(columns: unknown): ColumnSpec[] | undefined {
    if (!Array.isArray(columns)) {
        return undefined;
    }
    return columns.filter((column): column is Record<string, unknown> => column !== null && typeof column === "object")
        .map((column) => ({ name: String(column.name ?? "").toUpperCase(), type: String(column.type ?? "") }));
}

const normalType = (type: string) => type.replace(/\s+/g, "").toUpperCase();

/** How `after` changes the columns of `table` from `before`, in the order of `before` then `after`. */
export function columnChanges(table: string, before: readonly ColumnSpec[], after: readonly ColumnSpec[]): ColumnChange[] {
    const afterByName = new Map(after.map((column) => [column.name, column]));
    const beforeNames = new Set(before.map((column) => column.name));
    const added = new Set(after.filter((column) => !beforeNames.has(column.name)).map((column) => column.name));
    const changes: ColumnChange[] = [];
    const renamedTo = new Set<string>();
    const loses = "the provider runs ALTER TABLE … DROP COLUMN, and its data is lost";
    before.forEach((column, index) => {
        const now = afterByName.get(column.name);
        if (now === undefined) {
            // A new name in the dropped column's place reads as a rename: to Snowflake it is a drop and an add.
            const successor = after[index];
            if (successor !== undefined && added.has(successor.name) && !renamedTo.has(successor.name)) {
                renamedTo.add(successor.name);
                changes.push({ table, change: "renamed", column: column.name,
                    detail: `renames column ${column.name} to ${successor.name}: ${loses}, and ${successor.name} is added empty` });
            } else {
                changes.push({ table, change: "dropped", column: column.name, detail: `drops column ${column.name}: ${loses}` });
            }
        } else if (normalType(now.type) !== normalType(column.type)) {
            changes.push({ table, change: "retyped", column: column.name,
                detail: `changes the type of column ${column.name} from ${column.type} to ${now.type}: Snowflake refuses most ` +
                    "type changes and truncates or reinterprets the data where it allows one" });
        }
    });
    const kept = before.filter((column) => afterByName.has(column.name)).map((column) => column.name);
    const keptInAfter = after.filter((column) => beforeNames.has(column.name)).map((column) => column.name);
    keptInAfter.forEach((name, index) => {
        if (kept[index] !== name) {
            changes.push({ table, change: "moved", column: name,
                detail: `moves column ${name}: Snowflake keeps the column order, so the table differs from state on every preview` });
        }
    });
    const lastKept = Math.max(-1, ...after.map((column, index) => (beforeNames.has(column.name) ? index : -1)));
    after.forEach((column, index) => {
        if (added.has(column.name) && !renamedTo.has(column.name) && index < lastKept) {
            changes.push({ table, change: "inserted", column: column.name,
                detail: `adds column ${column.name} before ${after[lastKept].name}, not at the end: the provider appends it and ` +
                    "reads the columns in DESCRIBE order, so the table differs from state on every preview; append it after the last column" });
        }
    });
    return changes;
}

export function isAllowed(change: ColumnChange, allowed: AllowedColumnChanges | undefined): boolean {
    return (allowed?.[change.table] ?? []).includes(change.column);
}

/** The message of a change (the same in the plan diff's risks and in the policy's violations). */
export function columnChangeMessage(change: ColumnChange, allowed: AllowedColumnChanges | undefined): string {
    const what = `table ${change.table} (${HISTORY_TABLES[change.table] ?? "history"}) ${change.detail}`;
    return isAllowed(change, allowed)
        ? `${what}; allowed by wallmonitor:allowColumnChanges`
        : `${what}. If this is intended, allow it with wallmonitor:allowColumnChanges: '{"${change.table}": ["${change.column}"]}'`;
}

const IDENTIFIER = /^[A-Z_][A-Z0-9_$]{0,254}$/;

/**
 * `wallmonitor:allowColumnChanges`: a JSON object from history table to the columns whose drop,
 * rename, type change or placement the stack accepts, such as `{"AGENT_EVENTS_HISTORY": ["USER_NAME"]}`.
 */
export function parseAllowColumnChanges(raw: string | undefined, error: (key: string, message: string) => Error)
    : AllowedColumnChanges | undefined {
    const key = "allowColumnChanges";
    if (raw === undefined) {
        return undefined;
    }
    const example = '{"AGENT_EVENTS_HISTORY": ["USER_NAME"]}';
    let parsed: unknown;
    try {
        parsed = JSON.parse(raw);
    } catch {
        throw error(key, `is not valid JSON. Give an object from table to columns, for example ${example}.`);
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        throw error(key, `must be a JSON object from table to columns, for example ${example}.`);
    }
    const result: Record<string, readonly string[]> = {};
    for (const [table, columns] of Object.entries(parsed as Record<string, unknown>)) {
        if (!(table in HISTORY_TABLES)) {
            throw error(key, `names table ${JSON.stringify(table)}, which is not a Wallmonitor table; the tables are ` +
                `${Object.keys(HISTORY_TABLES).join(", ")}.`);
        }
        if (!Array.isArray(columns) || columns.length === 0 || columns.some((column) => typeof column !== "string" || !IDENTIFIER.test(column))) {
            throw error(key, `${table}: ${JSON.stringify(columns)} is not a non-empty list of UPPERCASE column names, for example ["USER_NAME"].`);
        }
        if (new Set(columns).size !== columns.length) {
            throw error(key, `${table} lists a column twice.`);
        }
        result[table] = columns as string[];
    }
    return result;
}

/** The columns of every history table as lib/tables.ts declares them now. */
export function declaredColumns(): Record<string, ColumnSpec[]> {
    return Object.fromEntries(TABLES.map((table) => [table.name, table.columns.map((column) => ({ name: column.name, type: column.type }))]));
}
