/** The ingestion procedures and the tasks that run them; names only, so any layer may import them. */
export const PROCEDURE_NAMES = {
    refresh: "REFRESH_AGENT_EVENTS", discover: "DISCOVER_AGENTS", rollup: "ROLLUP_AGENT_EVENTS",
} as const;
export const TASK_NAMES = {
    refresh: "REFRESH_AGENT_EVENTS_TASK", discover: "DISCOVER_AGENTS_TASK", rollup: "ROLLUP_AGENT_EVENTS_TASK",
} as const;
