import { renderSql, SqlValue } from "../lib/sql/render";
import type { Statement } from "../provider/statements";

/**
 * The doctor's own statements, rendered from sql/doctor/. Every one is read-only; the session
 * that runs them refuses anything else (doctor/readOnly.ts).
 */

export const DOCTOR_SQL = [
    "current_session", "account_parameter", "show_role", "grants_to_role", "future_grants_in_schema", "future_grants_in_database", "application_roles",
    "use_no_secondary_roles", "newest_event", "show_agents", "agents_in_events", "shape_keys", "shape_names",
    "show_tasks", "task_runs", "show_dynamic_tables", "pipeline_health", "show_streamlits", "show_notification_integrations",
    "notification_failures", "event_lateness", "missed_events", "refresh_overlaps", "show_tables", "show_views", "hll_export_form",
    "trace_spans", "realtime_plan",
] as const;
export type DoctorSqlName = (typeof DOCTOR_SQL)[number];

export function doctorStatement(name: DoctorSqlName, values: Readonly<Record<string, SqlValue>> = {}): Statement {
    const file = `doctor/${name}.sql`;
    return { file, text: renderSql(file, values).text };
}

/** Every sql/ file the doctor's statements use (their includes too), for the test that every file is used. */
export function doctorSqlFiles(): string[] {
    const sample: Record<DoctorSqlName, Record<string, SqlValue>> = {
        current_session: {}, application_roles: {}, use_no_secondary_roles: {}, show_agents: {}, show_notification_integrations: {},
        account_parameter: { NAME: { literal: "X" } }, show_role: { NAME: { literal: "X" } },
        grants_to_role: { ROLE: { identifier: "X" } }, future_grants_in_schema: { SCHEMA: { identifier: "X.Y" } },
        future_grants_in_database: { DATABASE: { identifier: "X" } },
        newest_event: { LOOKBACK_DAYS: 1 }, agents_in_events: { LOOKBACK_DAYS: 1 },
        shape_keys: { LOOKBACK_DAYS: 1, SAMPLE_SIZE: 1 }, shape_names: { LOOKBACK_DAYS: 1, SAMPLE_SIZE: 1 },
        show_tasks: { SCHEMA: { identifier: "X.Y" } }, show_dynamic_tables: { SCHEMA: { identifier: "X.Y" } },
        task_runs: { INFORMATION_SCHEMA: { identifier: "X.INFORMATION_SCHEMA" }, SCHEMA_NAME: { literal: "Y" } },
        pipeline_health: { PIPELINE_HEALTH: { identifier: "X.Y.Z" } },
        show_streamlits: { NAME: { literal: "X" }, SCHEMA: { identifier: "X.Y" } },
        notification_failures: { INFORMATION_SCHEMA: { identifier: "X.INFORMATION_SCHEMA" } },
        event_lateness: { HISTORY: { identifier: "X.Y.Z" }, LOOKBACK_DAYS: 1, INTERVAL_MINUTES: 1 },
        missed_events: { HISTORY: { identifier: "X.Y.Z" }, INGEST_STATE: { identifier: "X.Y.S" }, REGISTRY: { identifier: "X.Y.R" },
            INGEST_OVERLAP_MINUTES: 1, LOOKBACK_HOURS: 1, STORE_CONVERSATION_TEXT: false },
        refresh_overlaps: { INFORMATION_SCHEMA: { identifier: "X.INFORMATION_SCHEMA" }, CALL_PATTERN: { literal: "%X%" } },
        show_tables: { SCHEMA: { identifier: "X.Y" } }, show_views: { SCHEMA: { identifier: "X.Y" } },
        hll_export_form: { ROW_COUNT: 1 },
        trace_spans: { HISTORY: { identifier: "X.Y.Z" }, LOOKBACK_DAYS: 1, TRACE_MARGIN_DAYS: 1 },
        realtime_plan: { VIEW: { identifier: "X.Y.Z" } },
    };
    return DOCTOR_SQL.flatMap((name) => renderSql(`doctor/${name}.sql`, sample[name]).files);
}
