import { defaultRegistry, holdsConversationText, Model } from "./registry";

/**
 * Wallmonitor's tables, as declared in sql/tables/models.yml. The storage component declares
 * them with @pulumi/snowflake and the emulator tests create them from the same declarations
 * (lib/sql/render.ts `createTableStatement`), so the two can never disagree on a column.
 */

export interface ColumnDefinition {
    readonly name: string;
    readonly type: string;
    readonly nullable?: boolean;
    /** A literal default, unquoted; the provider quotes it for a text column (see sql/tables/models.yml). */
    readonly defaultConstant?: string;
    /** A function-call default (SYSDATE()); what the provider reads back as an expression. */
    readonly defaultExpression?: string;
    readonly comment?: string;
}

export interface TableDefinition {
    readonly name: string;
    readonly comment: string;
    readonly columns: readonly ColumnDefinition[];
    /** The columns that identify a row, which the MERGE statements key on; documentation only, never created. */
    readonly naturalKeyNotCreated?: readonly string[];
    /** Holds conversation text (a conversation_text column): never granted to the viewer role. */
    readonly holdsRawEvents: boolean;
    /** Change tracking, needed by the dynamic tables that read it incrementally. */
    readonly changeTracking: boolean;
}

/** A table model as the storage component and the emulator take it. */
export function tableDefinition(model: Model): TableDefinition {
    if (model.kind !== "table") {
        throw new Error(`${model.name} is a ${model.kind}, not a table`);
    }
    return {
        name: model.name,
        comment: model.comment ?? "",
        columns: model.columns.map((column) => {
            if (column.type === undefined) {
                throw new Error(`sql/tables/models.yml ${model.name}.${column.name}: a table column needs its type`);
            }
            return {
                name: column.name,
                type: column.type,
                ...(column.nullable === undefined ? {} : { nullable: column.nullable }),
                ...(column.defaultConstant === undefined ? {} : { defaultConstant: column.defaultConstant }),
                ...(column.defaultExpression === undefined ? {} : { defaultExpression: column.defaultExpression }),
                ...(column.comment === undefined ? {} : { comment: column.comment }),
            };
        }),
        ...(model.naturalKeyNotCreated === undefined ? {} : { naturalKeyNotCreated: model.naturalKeyNotCreated }),
        holdsRawEvents: holdsConversationText(model),
        changeTracking: model.changeTracking,
    };
}

/** The table model `name` of the registry. */
export function table(name: string): TableDefinition {
    return tableDefinition(defaultRegistry().model(name));
}

export const AGENT_REGISTRY = table("AGENT_REGISTRY");
export const AGENT_INGEST_STATE = table("AGENT_INGEST_STATE");
export const INGEST_CYCLE_STATE = table("INGEST_CYCLE_STATE");
export const AGENT_EVENTS_HISTORY = table("AGENT_EVENTS_HISTORY");
export const AGENT_DAILY_ROLLUP = table("AGENT_DAILY_ROLLUP");
export const USER_DAILY_ROLLUP = table("USER_DAILY_ROLLUP");
export const MODEL_DAILY_ROLLUP = table("MODEL_DAILY_ROLLUP");
export const TOOL_DAILY_ROLLUP = table("TOOL_DAILY_ROLLUP");
export const AGENT_DAILY_LATENCY = table("AGENT_DAILY_LATENCY");
export const ROLLUP_DAY_STATE = table("ROLLUP_DAY_STATE");

/** The daily rollups the rollup procedure recomputes (sql/rollups). */
export const ROLLUP_TABLES: readonly TableDefinition[] = [
    AGENT_DAILY_ROLLUP, USER_DAILY_ROLLUP, MODEL_DAILY_ROLLUP, TOOL_DAILY_ROLLUP, AGENT_DAILY_LATENCY,
];

/** Every table of the registry, in declaration order (the alerting tables too: the Alerts page always has its views). */
export const TABLES: readonly TableDefinition[] = defaultRegistry().models
    .filter((model) => model.kind === "table").map(tableDefinition);
