/**
 * Prints the doctor's event-table statements as JSON, rendered as the doctor runs them, for the
 * emulator test that executes them over generated traffic (test/sql/test_doctor_shapes.py).
 */
import { LOOKBACK_DAYS } from "./events";
import { SAMPLE_SIZE } from "./shapes";
import { doctorStatement } from "./sql";

process.stdout.write(`${JSON.stringify({
    shape_keys: doctorStatement("shape_keys", { LOOKBACK_DAYS, SAMPLE_SIZE }),
    shape_names: doctorStatement("shape_names", { LOOKBACK_DAYS, SAMPLE_SIZE }),
    agents_in_events: doctorStatement("agents_in_events", { LOOKBACK_DAYS }),
    newest_event: doctorStatement("newest_event", { LOOKBACK_DAYS }),
    // The emulator test's history, in its current schema; 30 min allowed (interval + overlap).
    event_lateness: doctorStatement("event_lateness", { HISTORY: { identifier: "AGENT_EVENTS_HISTORY" }, LOOKBACK_DAYS, ALLOWED_MINUTES: 30 }),
})}\n`);
