import { ALERT_TABLES } from "./alertTables";

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
export const DATE = "DATE";
export const ARRAY = "ARRAY";
export const FLOAT = "FLOAT";

export interface ColumnDefinition {
    readonly name: string;
    readonly type: string;
    readonly nullable?: boolean;
    /**
     * A literal default, as the Snowflake provider takes it: unquoted, the provider quotes it for
     * a text column (`%` becomes `'%'`), sends it as is otherwise (`TRUE`, `0`). The provider
     * reads every default without parentheses back as a constant with its quotes stripped, so a
     * literal given as an expression would differ on every preview (terraform-provider-snowflake
     * pkg/resources/table.go toColumnDefaultConfig, issue 5167).
     */
    readonly defaultConstant?: string;
    /** A function-call default (SYSDATE()); what the provider reads back as an expression. */
    readonly defaultExpression?: string;
    readonly comment?: string;
}

export interface TableDefinition {
    readonly name: string;
    readonly comment: string;
    readonly columns: readonly ColumnDefinition[];
    /**
     * The columns that identify a row, which the MERGE statements key on. Documentation only,
     * never created: the Snowflake provider's CreateTable builds the constraint but never sends it
     * (terraform-provider-snowflake pkg/resources/table.go), and Snowflake would not enforce it
     * anyway (https://docs.snowflake.com/en/sql-reference/constraints-overview).
     */
    readonly naturalKeyNotCreated?: readonly string[];
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
        { name: "IS_ACTIVE", type: BOOLEAN, defaultConstant: "TRUE" },
        { name: "INCLUDE_PATTERN", type: TEXT, defaultConstant: "%" },
        { name: "EXCLUDE_PATTERN", type: TEXT },
        { name: "ADDED_AT", type: TIMESTAMP, defaultExpression: "SYSDATE()" },
        { name: "LAST_DISCOVERED", type: TIMESTAMP },
        { name: "NOTES", type: TEXT },
        { name: "REGISTERED_BY", type: TEXT, defaultConstant: "MANUAL", comment: "MANUAL, DISCOVERY (SHOW AGENTS) or EVENTS (its events in the event table)" },
    ],
    naturalKeyNotCreated: ["AGENT_DATABASE", "AGENT_SCHEMA", "AGENT_NAME"],
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
        { name: "CONSECUTIVE_FAILURES", type: INTEGER, defaultConstant: "0" },
        { name: "INGEST_PATH", type: TEXT, comment: "How the agent was last read: EVENT_TABLE or PER_AGENT" },
        { name: "INGEST_PATH_REASON", type: TEXT, comment: "Why the last cycle read it that way (ingestPath config, auto probe, fallback)" },
    ],
    naturalKeyNotCreated: ["AGENT_DATABASE", "AGENT_SCHEMA", "AGENT_NAME"],
    holdsRawEvents: false,
    changeTracking: false,
};

export const INGEST_CYCLE_STATE: TableDefinition = {
    name: "INGEST_CYCLE_STATE",
    comment: "The last ingestion cycle as a whole (one row): whether anything could be read and why not, and how far the event table was scanned for new agents.",
    columns: [
        { name: "STATE_KEY", type: TEXT, nullable: false, comment: "REFRESH: the row REFRESH_AGENT_EVENTS keeps" },
        { name: "LAST_CYCLE_AT", type: TIMESTAMP, comment: "Start of the last cycle (UTC)" },
        { name: "INGEST_PATH", type: TEXT, comment: "EVENT_TABLE or PER_AGENT" },
        { name: "INGEST_PATH_REASON", type: TEXT },
        { name: "ACTIVE_AGENTS", type: INTEGER, comment: "Active registered agents the cycle read" },
        { name: "CONDITION", type: TEXT, comment: "OK, NO_ACTIVE_AGENTS, or NO_AGENTS_VISIBLE (nothing can be read until a grant is made)" },
        { name: "CONDITION_MESSAGE", type: TEXT, comment: "What the condition means and, unless OK, the fix" },
        { name: "EVENTS_DISCOVERY_STATUS", type: TEXT, comment: "OK, FAILED or SKIPPED: registering agents from their events" },
        { name: "EVENTS_DISCOVERY_MESSAGE", type: TEXT },
        { name: "EVENTS_DISCOVERY_READ_FROM", type: TIMESTAMP, comment: "Where the last scan of the event table for new agents started" },
        { name: "EVENTS_DISCOVERED_THROUGH", type: TIMESTAMP, comment: "When the last successful scan ran; the next starts there less the overlap" },
        { name: "AGENTS_ADDED_FROM_EVENTS", type: INTEGER },
    ],
    naturalKeyNotCreated: ["STATE_KEY"],
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
        { name: "SPAN_CATEGORY", type: TEXT, comment: "AGENT_RUN, LLM_CALL, TOOL_EXECUTION, RETRIEVAL, WRAPPER, GUARDRAIL, EVALUATION, REQUEST, FEEDBACK or OTHER" },
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
        // Appended after LOADED_AT: the provider reads columns in DESCRIBE order, so new columns only go at the end.
        { name: "OBSERVABILITY_SPAN_TYPE", type: TEXT, comment: "ai.observability.span_type as received (evaluation runs write record_root, eval_root, eval, cortex_agent_ground_truth)" },
        { name: "RUN_NAME", type: TEXT, comment: "snow.ai.observability.run.name: set on the turns of an evaluation run" },
        { name: "IS_EVALUATION_EVENT", type: BOOLEAN, comment: "The event itself says it belongs to an evaluation run (span type or run name); views and rollups treat its whole trace as evaluation" },
        { name: "RESPONSE_TIME_MS", type: INTEGER, comment: "CORTEX_AGENT_REQUEST rows: VALUE response_time_ms; never counted as turn latency" },
    ],
    holdsRawEvents: true,
    changeTracking: true,
};

/*
 * Daily rollups (kept rollupRetentionDays, while raw history is kept historyDays). Every row is
 * one UTC day (TO_DATE(EVENT_TIMESTAMP)) of one dimension, and stores only *mergeable* state:
 * sums, counts, MIN/MAX, exact distinct sets and a latency histogram. Weeks, months and years are
 * combined from days by the ROLLUP_* views without loss:
 *
 * - Distinct users and threads: the day's distinct values as an ARRAY (ARRAY_AGG(DISTINCT)); a
 *   longer period counts the distinct values over the FLATTENed days, which is exact. Snowflake's
 *   HLL_ACCUMULATE/HLL_COMBINE would be smaller but approximate, and the emulator cannot run it
 *   (nor ARRAY_UNION_AGG); one agent's day of distinct thread ids stays far below the 16 MB
 *   ARRAY limit (~400k ids of 36 characters).
 * - Latency percentiles: AGENT_DAILY_LATENCY, a histogram of turn durations in log buckets of
 *   ratio 1.05 (see sql/rollups/latency_bucket.sql); percentiles of any period come from the
 *   summed bucket counts with a relative error of at most sqrt(1.05) - 1 (2.47 %). Snowflake's
 *   APPROX_PERCENTILE_ACCUMULATE is not available on the emulator. No per-day p95 is stored.
 *
 * None holds conversation text: the viewer reads them through the ROLLUP views.
 */
const dayKey: readonly ColumnDefinition[] = [
    { name: "DAY", type: DATE, nullable: false, comment: "UTC day of EVENT_TIMESTAMP" },
    ...agentKey,
];

export const AGENT_DAILY_ROLLUP: TableDefinition = {
    name: "AGENT_DAILY_ROLLUP",
    comment: "One row per agent and UTC day: mergeable counts, sums and distinct sets; kept rollupRetentionDays.",
    columns: [
        ...dayKey,
        { name: "EVENTS", type: INTEGER },
        { name: "TURNS", type: INTEGER, comment: "AGENT_RUN root spans (requests)" },
        { name: "FAILED_TURNS", type: INTEGER },
        { name: "LLM_CALLS", type: INTEGER },
        { name: "TOOL_CALLS", type: INTEGER },
        { name: "RETRIEVAL_CALLS", type: INTEGER },
        { name: "ERROR_COUNT", type: INTEGER, comment: "Events with STATUS ERROR" },
        { name: "STATUS_COUNT", type: INTEGER, comment: "Events with a STATUS" },
        { name: "PROMPT_TOKENS", type: INTEGER },
        { name: "COMPLETION_TOKENS", type: INTEGER },
        { name: "TOTAL_TOKENS", type: INTEGER },
        { name: "TURN_DURATION_MS_SUM", type: INTEGER, comment: "Sum of turn durations; / TURN_DURATION_COUNT = mean" },
        { name: "TURN_DURATION_COUNT", type: INTEGER },
        { name: "FEEDBACK_POSITIVE", type: INTEGER },
        { name: "FEEDBACK_NEGATIVE", type: INTEGER },
        { name: "FIRST_EVENT", type: TIMESTAMP },
        { name: "LAST_EVENT", type: TIMESTAMP },
        { name: "USERS", type: ARRAY, comment: "Distinct users of the day (exact, mergeable)" },
        { name: "THREADS", type: ARRAY, comment: "Distinct thread ids of the day (exact, mergeable)" },
    ],
    naturalKeyNotCreated: ["DAY", "AGENT_DATABASE", "AGENT_SCHEMA", "AGENT_NAME"],
    holdsRawEvents: false,
    changeTracking: false,
};

export const USER_DAILY_ROLLUP: TableDefinition = {
    name: "USER_DAILY_ROLLUP",
    comment: "One row per agent, user and UTC day of the user's events (TURNS: requests); kept rollupRetentionDays.",
    columns: [
        ...dayKey,
        { name: "USER_NAME", type: TEXT, nullable: false, comment: "The reference's user id: login name, else numeric id" },
        { name: "TURNS", type: INTEGER, comment: "AGENT_RUN root spans (requests)" },
        { name: "FAILED_TURNS", type: INTEGER },
        { name: "TOTAL_TOKENS", type: INTEGER },
        { name: "TURN_DURATION_MS_SUM", type: INTEGER },
        { name: "TURN_DURATION_COUNT", type: INTEGER },
        { name: "FIRST_ACCESS", type: TIMESTAMP, comment: "The user's first event of the day" },
        { name: "LAST_ACCESS", type: TIMESTAMP, comment: "The user's last event of the day" },
        { name: "THREADS", type: ARRAY, comment: "Distinct thread ids of the day (exact, mergeable)" },
    ],
    naturalKeyNotCreated: ["DAY", "AGENT_DATABASE", "AGENT_SCHEMA", "AGENT_NAME", "USER_NAME"],
    holdsRawEvents: false,
    changeTracking: false,
};

export const MODEL_DAILY_ROLLUP: TableDefinition = {
    name: "MODEL_DAILY_ROLLUP",
    comment: "One row per agent, model and UTC day of LLM calls; kept rollupRetentionDays.",
    columns: [
        ...dayKey,
        { name: "MODEL_NAME", type: TEXT, nullable: false },
        { name: "LLM_CALLS", type: INTEGER },
        { name: "ERROR_COUNT", type: INTEGER },
        { name: "PROMPT_TOKENS", type: INTEGER },
        { name: "COMPLETION_TOKENS", type: INTEGER },
        { name: "TOTAL_TOKENS", type: INTEGER },
        { name: "DURATION_MS_SUM", type: INTEGER },
    ],
    naturalKeyNotCreated: ["DAY", "AGENT_DATABASE", "AGENT_SCHEMA", "AGENT_NAME", "MODEL_NAME"],
    holdsRawEvents: false,
    changeTracking: false,
};

export const TOOL_DAILY_ROLLUP: TableDefinition = {
    name: "TOOL_DAILY_ROLLUP",
    comment: "One row per agent, tool and UTC day of tool executions and retrievals; kept rollupRetentionDays.",
    columns: [
        ...dayKey,
        { name: "TOOL_KIND", type: TEXT, nullable: false },
        { name: "TOOL_NAME", type: TEXT, nullable: false, comment: "'' when the span names no tool" },
        { name: "CALLS", type: INTEGER },
        { name: "ERROR_COUNT", type: INTEGER },
        { name: "DURATION_MS_SUM", type: INTEGER },
    ],
    naturalKeyNotCreated: ["DAY", "AGENT_DATABASE", "AGENT_SCHEMA", "AGENT_NAME", "TOOL_KIND", "TOOL_NAME"],
    holdsRawEvents: false,
    changeTracking: false,
};

export const AGENT_DAILY_LATENCY: TableDefinition = {
    name: "AGENT_DAILY_LATENCY",
    comment: "Turn-latency histogram per agent and UTC day (log buckets of ratio 1.05); kept rollupRetentionDays.",
    columns: [
        ...dayKey,
        { name: "BUCKET", type: INTEGER, nullable: false, comment: "0: under 1 ms; b >= 1: [1.05^(b-1), 1.05^b) ms" },
        { name: "TURNS", type: INTEGER },
    ],
    naturalKeyNotCreated: ["DAY", "AGENT_DATABASE", "AGENT_SCHEMA", "AGENT_NAME", "BUCKET"],
    holdsRawEvents: false,
    changeTracking: false,
};

export const ROLLUP_DAY_STATE: TableDefinition = {
    name: "ROLLUP_DAY_STATE",
    comment: "Which history the rollups of each UTC day were computed from: a day is recomputed only when its history row count changes.",
    columns: [
        { name: "DAY", type: DATE, nullable: false },
        { name: "HISTORY_ROWS", type: INTEGER, comment: "History rows of the day when it was last rolled up" },
        { name: "ROLLED_UP_AT", type: TIMESTAMP, comment: "Start of the rollup run that last recomputed the day" },
        { name: "ROLLUP_VERSION", type: TEXT, comment: "Rollup definition the day was computed with; a day of another one is recomputed while history holds it" },
    ],
    naturalKeyNotCreated: ["DAY"],
    holdsRawEvents: false,
    changeTracking: false,
};

export const ROLLUP_TABLES: readonly TableDefinition[] = [
    AGENT_DAILY_ROLLUP, USER_DAILY_ROLLUP, MODEL_DAILY_ROLLUP, TOOL_DAILY_ROLLUP, AGENT_DAILY_LATENCY,
];

export const TABLES: readonly TableDefinition[] = [
    AGENT_REGISTRY, AGENT_INGEST_STATE, AGENT_EVENTS_HISTORY, ...ROLLUP_TABLES, ROLLUP_DAY_STATE,
    INGEST_CYCLE_STATE,
    // Alerting (lib/alertTables.ts): empty unless wallmonitor:alertingEnabled, so the Alerts page always has its views.
    ...ALERT_TABLES,
];
