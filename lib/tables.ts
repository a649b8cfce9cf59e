/**
 * Column layouts of Wallmonitor's standard tables. The storage component declares them with
 * @pulumi/snowflake and the emulator tests create them from the same definitions
 * (lib/sql.ts `createTableStatement`), so the two can never disagree on a column.
 *
 * Types are written the way Snowflake reports them back (VARCHAR(16777216), NUMBER(38,0),
 * TIMESTAMP_NTZ(9)) so that a second `pulumi up` sees no difference to refresh.
 */

export const TEXT = "VARCHAR(16777216)";
export const INTEGER = "NUMBER(38,0)";
export const TIMESTAMP = "TIMESTAMP_NTZ(9)";
export const BOOLEAN = "BOOLEAN";
export const VARIANT = "VARIANT";

export interface ColumnDefinition {
    readonly name: string;
    readonly type: string;
    readonly nullable?: boolean;
    /** A SQL expression for the default value; only constants and SYSDATE() are used. */
    readonly defaultExpression?: string;
    readonly comment?: string;
}

export interface TableDefinition {
    readonly name: string;
    readonly comment: string;
    readonly columns: readonly ColumnDefinition[];
    readonly primaryKey?: readonly string[];
    /** Holds raw events or conversation text: never granted to the viewer role. */
    readonly holdsRawEvents: boolean;
    /** Change tracking, needed by the dynamic tables that read it incrementally. */
    readonly changeTracking: boolean;
}

const agentKey: readonly ColumnDefinition[] = [
    { name: "AGENT_DATABASE", type: TEXT, nullable: false },
    { name: "AGENT_SCHEMA", type: TEXT, nullable: false },
    { name: "AGENT_NAME", type: TEXT, nullable: false },
];

export const AGENT_REGISTRY: TableDefinition = {
    name: "AGENT_REGISTRY",
    comment: "Cortex Agents Wallmonitor ingests. Discovery adds rows; add or deactivate agents by hand with INSERT/UPDATE.",
    columns: [
        ...agentKey,
        { name: "IS_ACTIVE", type: BOOLEAN, defaultExpression: "TRUE" },
        { name: "INCLUDE_PATTERN", type: TEXT, defaultExpression: "'%'" },
        { name: "EXCLUDE_PATTERN", type: TEXT },
        { name: "ADDED_AT", type: TIMESTAMP, defaultExpression: "SYSDATE()" },
        { name: "LAST_DISCOVERED", type: TIMESTAMP },
        { name: "NOTES", type: TEXT },
        { name: "REGISTERED_BY", type: TEXT, defaultExpression: "'MANUAL'", comment: "MANUAL or DISCOVERY" },
    ],
    primaryKey: ["AGENT_DATABASE", "AGENT_SCHEMA", "AGENT_NAME"],
    holdsRawEvents: false,
    changeTracking: false,
};

export const AGENT_INGEST_STATE: TableDefinition = {
    name: "AGENT_INGEST_STATE",
    comment: "Per-agent ingestion watermark and the outcome of its last refresh.",
    columns: [
        ...agentKey,
        { name: "LAST_EVENT_TIMESTAMP", type: TIMESTAMP, comment: "Watermark: newest event loaded (UTC)" },
        { name: "LAST_REFRESH_AT", type: TIMESTAMP },
        { name: "LAST_REFRESH_STATUS", type: TEXT, comment: "OK or ERROR" },
        { name: "LAST_ERROR_MESSAGE", type: TEXT },
        { name: "LAST_READ_FROM", type: TIMESTAMP, comment: "Start of the window the last refresh read, or the failed first attempt would have read" },
        { name: "LAST_ROWS_LOADED", type: INTEGER },
        { name: "CONSECUTIVE_FAILURES", type: INTEGER, defaultExpression: "0" },
        { name: "INGEST_PATH", type: TEXT, comment: "How the agent was last read: EVENT_TABLE or PER_AGENT" },
        { name: "INGEST_PATH_REASON", type: TEXT, comment: "Why the last cycle read it that way (ingestPath config, auto probe, fallback)" },
    ],
    primaryKey: ["AGENT_DATABASE", "AGENT_SCHEMA", "AGENT_NAME"],
    holdsRawEvents: false,
    changeTracking: false,
};

export const AGENT_EVENTS_HISTORY: TableDefinition = {
    name: "AGENT_EVENTS_HISTORY",
    comment: "Parsed Cortex Agent events, one row per span, span event, log or feedback event; retained historyDays.",
    columns: [
        { name: "EVENT_KEY", type: TEXT, nullable: false, comment: "SHA-256 of the event's identity; the dedupe key" },
        ...agentKey,
        { name: "EVENT_TIMESTAMP", type: TIMESTAMP, nullable: false, comment: "End of the span / time of the event (UTC)" },
        { name: "START_TIMESTAMP", type: TIMESTAMP },
        { name: "RECORD_TYPE", type: TEXT },
        { name: "EVENT_NAME", type: TEXT },
        { name: "SPAN_NAME", type: TEXT },
        { name: "SPAN_CATEGORY", type: TEXT, comment: "AGENT_RUN, LLM_CALL, TOOL_EXECUTION, RETRIEVAL, FEEDBACK or OTHER" },
        { name: "SPAN_ID", type: TEXT },
        { name: "TRACE_ID", type: TEXT },
        { name: "PARENT_SPAN_ID", type: TEXT },
        { name: "RECORD_ID", type: TEXT },
        { name: "REQUEST_ID", type: TEXT },
        { name: "THREAD_ID", type: TEXT },
        { name: "AGENT_ID", type: TEXT, comment: "Agent version id" },
        { name: "USER_ID", type: TEXT },
        { name: "USER_NAME", type: TEXT },
        { name: "MODEL_NAME", type: TEXT },
        { name: "PROMPT_TOKENS", type: INTEGER },
        { name: "COMPLETION_TOKENS", type: INTEGER },
        { name: "TOTAL_TOKENS", type: INTEGER },
        { name: "CACHE_READ_TOKENS", type: INTEGER },
        { name: "CACHE_WRITE_TOKENS", type: INTEGER },
        { name: "SPAN_DURATION_MS", type: INTEGER },
        { name: "TOOL_KIND", type: TEXT },
        { name: "TOOL_NAME", type: TEXT },
        { name: "RETRIEVAL_QUERY", type: TEXT },
        { name: "STATUS", type: TEXT, comment: "OK, ERROR or NULL when the event has no status" },
        { name: "STATUS_CODE", type: TEXT },
        { name: "ERROR_MESSAGE", type: TEXT },
        { name: "FEEDBACK_POSITIVE", type: BOOLEAN },
        { name: "FEEDBACK_MESSAGE", type: TEXT },
        { name: "FEEDBACK_CATEGORIES", type: VARIANT },
        { name: "FEEDBACK_REQUEST_ID", type: TEXT },
        { name: "QUESTION_TEXT", type: TEXT, comment: "User question; NULL unless storeConversationText" },
        { name: "ANSWER_TEXT", type: TEXT, comment: "Agent answer; NULL unless storeConversationText" },
        { name: "RAW_ATTRIBUTES", type: VARIANT, comment: "RECORD_ATTRIBUTES as received; NULL unless storeConversationText" },
        { name: "LOADED_AT", type: TIMESTAMP },
    ],
    holdsRawEvents: true,
    changeTracking: true,
};

export const TABLES: readonly TableDefinition[] = [AGENT_REGISTRY, AGENT_INGEST_STATE, AGENT_EVENTS_HISTORY];
