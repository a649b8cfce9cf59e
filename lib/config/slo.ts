/**
 * Service level objectives (`wallmonitor:slos`, issue 20): per-agent objectives for availability
 * (the share of turns without error) and latency (the share of turns under a threshold), each
 * with a target and a window of days. Off by default: no objective, no SLO row, no burn alert.
 *
 *     [{"agent": "SALES_DB.AGENTS.SALES_BOT",
 *       "availability": {"target": 99.5, "windowDays": 28},
 *       "latency": {"thresholdMs": 8000, "target": 99, "windowDays": 28}}]
 *
 * `agent` is DATABASE.SCHEMA.AGENT or a SQL LIKE pattern over it (`SALES_DB.%`); when several
 * entries match an agent, the first entry that sets an objective gives it (list order). Targets
 * are percentages, as people write them; the SQL receives fractions. Every error is an
 * SloConfigError that lib/config/stack.ts turns into a ConfigError naming the key.
 */

export const SLO_OBJECTIVES = ["availability", "latency"] as const;
export type SloObjectiveKind = (typeof SLO_OBJECTIVES)[number];

export interface SloObjective {
    /** Percentage of good turns the objective promises, above 0 and below 100. */
    readonly target: number;
    /** Days the objective is measured over: the window's whole days and today so far. */
    readonly windowDays: number;
}

export interface LatencyObjective extends SloObjective {
    /** A turn is good when it takes less than this many milliseconds. */
    readonly thresholdMs: number;
}

export interface SloEntry {
    /** DATABASE.SCHEMA.AGENT or a LIKE pattern over it. */
    readonly agent: string;
    readonly availability?: SloObjective;
    readonly latency?: LatencyObjective;
}

/** An error in wallmonitor:slos; lib/config/stack.ts turns it into a ConfigError for the key. */
export class SloConfigError extends Error {}

/** The same LIKE patterns as agentIncludePattern (lib/config/reader.ts). */
const AGENT_PATTERN = /^[A-Za-z0-9_$.%-]{1,767}$/;
/** The longest window: whole days come from the daily rollups, which every stack keeps at least 30 days (rollupRetentionDays' minimum). */
export const MAX_WINDOW_DAYS = 30;
export const MAX_THRESHOLD_MS = 3_600_000;
const EXAMPLE = '[{"agent": "SALES_DB.AGENTS.SALES_BOT", "availability": {"target": 99.5, "windowDays": 28}, ' +
    '"latency": {"thresholdMs": 8000, "target": 99, "windowDays": 28}}]';

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function objective(at: string, value: unknown, latency: boolean): SloObjective | LatencyObjective {
    const fields = latency ? ["thresholdMs", "target", "windowDays"] : ["target", "windowDays"];
    if (!isObject(value)) {
        throw new SloConfigError(`${at} must be an object with ${fields.join(", ")}; for example ${EXAMPLE}.`);
    }
    const unknown = Object.keys(value).filter((field) => !fields.includes(field));
    const missing = fields.filter((field) => value[field] === undefined);
    if (unknown.length > 0 || missing.length > 0) {
        throw new SloConfigError(`${at} must give exactly ${fields.join(", ")}` +
            (missing.length > 0 ? `; missing ${missing.join(", ")}` : "") + (unknown.length > 0 ? `; unknown ${unknown.join(", ")}` : "") + ".");
    }
    const target = value.target;
    if (typeof target !== "number" || !Number.isFinite(target) || target <= 0 || target >= 100) {
        throw new SloConfigError(`${at}.target is ${JSON.stringify(target)}; give a percentage above 0 and below 100 ` +
            "(99.5 promises 99.5 % good turns; 100 would leave no error budget to burn).");
    }
    const windowDays = value.windowDays;
    if (typeof windowDays !== "number" || !Number.isInteger(windowDays) || windowDays < 1 || windowDays > MAX_WINDOW_DAYS) {
        throw new SloConfigError(`${at}.windowDays is ${JSON.stringify(windowDays)}; give a whole number of days from 1 to ` +
            `${MAX_WINDOW_DAYS} (for example 28).`);
    }
    if (!latency) {
        return { target, windowDays };
    }
    const thresholdMs = value.thresholdMs;
    if (typeof thresholdMs !== "number" || !Number.isInteger(thresholdMs) || thresholdMs < 1 || thresholdMs > MAX_THRESHOLD_MS) {
        throw new SloConfigError(`${at}.thresholdMs is ${JSON.stringify(thresholdMs)}; give a whole number of milliseconds ` +
            `from 1 to ${MAX_THRESHOLD_MS} (a turn is good when it takes less, for example 8000).`);
    }
    return { thresholdMs, target, windowDays };
}

/** `slos`: the objectives, in the order given; undefined when the key is not set ("[]": none either). */
export function parseSlos(raw: string | undefined): readonly SloEntry[] | undefined {
    if (raw === undefined) {
        return undefined;
    }
    let document: unknown;
    try {
        document = JSON.parse(raw);
    } catch (error) {
        throw new SloConfigError(`is not valid JSON (${(error as Error).message}); for example ${EXAMPLE}.`);
    }
    if (!Array.isArray(document)) {
        throw new SloConfigError(`must be a JSON list of objectives, for example ${EXAMPLE}.`);
    }
    const seen = new Set<string>();
    return document.map((entry, index): SloEntry => {
        const at = `[${index}]`;
        if (!isObject(entry)) {
            throw new SloConfigError(`${at} must be an object with agent and availability and/or latency; for example ${EXAMPLE}.`);
        }
        const unknown = Object.keys(entry).filter((field) => !["agent", "availability", "latency"].includes(field));
        if (unknown.length > 0) {
            throw new SloConfigError(`${at} has unknown field(s) ${unknown.join(", ")}; accepted: agent, availability, latency.`);
        }
        const agent = entry.agent;
        if (typeof agent !== "string" || !AGENT_PATTERN.test(agent)) {
            throw new SloConfigError(`${at}.agent is ${JSON.stringify(agent)}; give DATABASE.SCHEMA.AGENT or a SQL LIKE pattern ` +
                "over it made of letters, digits, _ $ . - and the wildcards % and _ (for example SALES_DB.%).");
        }
        const key = agent.toUpperCase();
        if (seen.has(key)) {
            throw new SloConfigError(`${at}.agent ${agent} is listed twice; give each agent or pattern one entry with both objectives.`);
        }
        seen.add(key);
        if (entry.availability === undefined && entry.latency === undefined) {
            throw new SloConfigError(`${at} (${agent}) sets no objective; give availability, latency or both.`);
        }
        const parsed: SloEntry = {
            agent: key,
            ...(entry.availability === undefined ? {} : { availability: objective(`${at}.availability`, entry.availability, false) }),
            ...(entry.latency === undefined ? {} : { latency: objective(`${at}.latency`, entry.latency, true) as LatencyObjective }),
        };
        return parsed;
    });
}

/** One row per objective in force, in list order: what SLO_OBJECTIVE_ROWS renders (lib/sql/sloRows.ts). */
export interface SloObjectiveRow {
    readonly position: number;
    readonly agentPattern: string;
    readonly objective: SloObjectiveKind;
    /** The target as a fraction (0.995). */
    readonly target: number;
    readonly windowDays: number;
    readonly thresholdMs: number | null;
}

export function sloObjectiveRows(entries: readonly SloEntry[] | undefined): SloObjectiveRow[] {
    return (entries ?? []).flatMap((entry, position) => SLO_OBJECTIVES.flatMap((kind): SloObjectiveRow[] => {
        const given = entry[kind];
        if (given === undefined) {
            return [];
        }
        return [{
            position: position + 1,
            agentPattern: entry.agent,
            objective: kind,
            // Fractions rounded to the precision a percentage with 6 decimals carries: 99.9 / 100 is 0.9990000000000001 in binary.
            target: Math.round(given.target * 1e6) / 1e8,
            windowDays: given.windowDays,
            thresholdMs: "thresholdMs" in given ? (given as LatencyObjective).thresholdMs : null,
        }];
    }));
}
