/**
 * Prints the doctor's statements over the event table, Wallmonitor's tables and HLL as JSON,
 * rendered as the doctor runs them, for the emulator test that executes them
 * (test/sql/test_doctor_shapes.py), with the HLL sparse limit the doctor assumes.
 */
import { LOOKBACK_DAYS } from "./events";
import { EMULATOR_HLL_SPARSE_LIMIT, HLL_ROW_COUNTS, MISSED_LOOKBACK_HOURS } from "./liveFacts";
import { SAMPLE_SIZE } from "./shapes";
import { TRACE_MARGIN_DAYS } from "../lib/sql/values";
import { doctorStatement } from "./sql";

process.stdout.write(`${JSON.stringify({ statements: {
    shape_keys: doctorStatement("shape_keys", { LOOKBACK_DAYS, SAMPLE_SIZE }),
    shape_names: doctorStatement("shape_names", { LOOKBACK_DAYS, SAMPLE_SIZE }),
    agents_in_events: doctorStatement("agents_in_events", { LOOKBACK_DAYS }),
    newest_event: doctorStatement("newest_event", { LOOKBACK_DAYS }),
    // The emulator test's tables, in its current schema; a 15 min refresh interval, a 10 min overlap.
    event_lateness: doctorStatement("event_lateness", { HISTORY: { identifier: "AGENT_EVENTS_HISTORY" }, LOOKBACK_DAYS, INTERVAL_MINUTES: 15 }),
    missed_events: doctorStatement("missed_events", { HISTORY: { identifier: "AGENT_EVENTS_HISTORY" },
        INGEST_STATE: { identifier: "AGENT_INGEST_STATE" }, REGISTRY: { identifier: "AGENT_REGISTRY" },
        INGEST_OVERLAP_MINUTES: 10, LOOKBACK_HOURS: MISSED_LOOKBACK_HOURS, STORE_CONVERSATION_TEXT: false }),
    trace_spans: doctorStatement("trace_spans", { HISTORY: { identifier: "AGENT_EVENTS_HISTORY" }, LOOKBACK_DAYS, TRACE_MARGIN_DAYS }),
    ...Object.fromEntries(HLL_ROW_COUNTS.map((rows) => [`hll_export_form_${rows}`, doctorStatement("hll_export_form", { ROW_COUNT: rows })])),
},
// The sparse limit the doctor holds the account to, which must be the emulator's.
EMULATOR_HLL_SPARSE_LIMIT, TRACE_MARGIN_DAYS })}\n`);
