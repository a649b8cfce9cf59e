import * as fs from "fs";
import * as path from "path";

import { SQL_ROOT } from "../lib/sql/render";
import { cell, Check, ownerOrLogin } from "./context";
import { LOOKBACK_DAYS } from "./events";
import { count, Finding } from "./report";
import { doctorStatement } from "./sql";

/**
 * Live event shapes: over the newest spans of each agent, the share of spans of each kind that
 * carry each attribute Wallmonitor relies on, span names and object types it does not
 * recognise, and evaluation-run traffic. Attribute spellings are [public], not documented
 * (snowflake-access.md, "Live event shapes"): this is where a live account proves or refutes them.
 */

/** Spans read per agent. */
export const SAMPLE_SIZE = 2000;

export type SpanKind = "ROOT" | "PLANNING" | "ANY";

/** The attributes whose absence silently zeroes a metric, where they are expected, and what their absence means. */
export const RELIED_ON: readonly { key: string; kind: SpanKind; consequence: string }[] = [
    { key: "snow.ai.observability.agent.planning.token_count.input", kind: "PLANNING", consequence: "input token counts will be 0" },
    { key: "snow.ai.observability.agent.planning.token_count.output", kind: "PLANNING", consequence: "output token counts will be 0" },
    { key: "snow.ai.observability.agent.planning.model", kind: "PLANNING", consequence: "every model will show as unknown" },
    { key: "snow.ai.observability.agent.thread_id", kind: "ROOT", consequence: "turns cannot be grouped into threads" },
    { key: "snow.ai.observability.agent.status.code", kind: "ROOT", consequence: "failed turns will not be counted as errors" },
    { key: "snow.ai.observability.object.name", kind: "ANY", consequence: "agents cannot register from their events" },
    { key: "snow.ai.observability.database.name", kind: "ANY", consequence: "agents cannot register from their events" },
    { key: "snow.ai.observability.schema.name", kind: "ANY", consequence: "agents cannot register from their events" },
];

/** Evaluation turns carry it (snowflake-access.md, "Live event shapes"); ingestion keeps them out of production metrics. */
export const EVALUATION_KEY = "snow.ai.observability.run.name";

/** The span types ingestion takes for evaluation spans, read from its SQL, where they are spelled once. */
export function evaluationSpanTypes(): Set<string> {
    const text = fs.readFileSync(path.join(SQL_ROOT, "ingestion", "parsed_events.sql"), "utf8");
    const list = /IN \(([^)]*)\), FALSE\) AS HAS_EVALUATION_SPAN_TYPE/.exec(text)![1];
    return new Set([...list.matchAll(/'([^']+)'/g)].map((match) => match[1]));
}

/** The span names ingestion categorises, read from its own SQL so the two cannot drift: exact names and LIKE prefixes. */
export function recognisedSpanNames(): { exact: Set<string>; prefixes: string[] } {
    const text = fs.readFileSync(path.join(SQL_ROOT, "ingestion", "parsed_events.sql"), "utf8");
    const exact = new Set([...text.matchAll(/RECORD:name::STRING = '([^'%]+)'/g)].map((match) => match[1]));
    const prefixes = [...text.matchAll(/RECORD:name::STRING LIKE '([^'%]+)%'/g)].map((match) => match[1]);
    return { exact, prefixes };
}

/** The object type ingestion takes for a Cortex Agent, compared case-insensitively (sql/ingestion/is_cortex_agent.sql). */
export function recognisedObjectType(): string {
    const text = fs.readFileSync(path.join(SQL_ROOT, "ingestion", "is_cortex_agent.sql"), "utf8");
    return /= '([^']+)'/.exec(text)![1];
}

export const shapesCheck: Check = async (context) => context.as(ownerOrLogin(context), async (session) => {
    const names = await session.attempt(doctorStatement("shape_names", { LOOKBACK_DAYS, SAMPLE_SIZE }));
    if ("error" in names) {
        return [{ area: "shapes", status: "not-checked", title: "live event shapes: the event table is not readable here", evidence: names.error }];
    }
    const agentType = recognisedObjectType();
    const isAgent = (row: Readonly<Record<string, unknown>>) => cell(row, "OBJECT_TYPE").toUpperCase() === agentType;
    const agentRows = names.rows.filter(isAgent);
    const spans = (rows: readonly Readonly<Record<string, unknown>>[]) => rows.reduce((sum, row) => sum + Number(cell(row, "SPANS")), 0);
    const findings: Finding[] = [];
    if (agentRows.length === 0) {
        return [{ area: "shapes", status: "warn", title: `no Cortex Agent spans in the last ${LOOKBACK_DAYS} days: shapes cannot be checked`,
            fix: "send a few requests to an agent, then run the doctor again" }];
    }
    const totals: Record<SpanKind, number> = {
        ROOT: spans(agentRows.filter((row) => cell(row, "SPAN_KIND") === "ROOT")),
        PLANNING: spans(agentRows.filter((row) => cell(row, "SPAN_KIND") === "PLANNING")),
        ANY: spans(agentRows),
    };
    const keys = await session.query(doctorStatement("shape_keys", { LOOKBACK_DAYS, SAMPLE_SIZE }));
    const agents = new Set(agentRows.map((row) => cell(row, "AGENT")));
    const carrying = (key: string, kind: SpanKind) => spans(keys.filter((row) => cell(row, "ATTRIBUTE_KEY") === key && agents.has(cell(row, "AGENT")) &&
        (kind === "ANY" || cell(row, "SPAN_KIND") === kind)));
    const kindName = (kind: SpanKind) => (kind === "ANY" ? "agent" : kind.toLowerCase());
    findings.push({ area: "shapes", status: "pass",
        title: `sampled ${totals.ANY} Cortex Agent spans of ${count(agents.size, "agent")} (newest ${SAMPLE_SIZE} per agent, last ${LOOKBACK_DAYS} days)`,
        evidence: `${totals.ROOT} root spans, ${totals.PLANNING} planning spans` });
    for (const { key, kind, consequence } of RELIED_ON) {
        const total = totals[kind];
        if (total === 0) {
            findings.push({ area: "shapes", status: "not-checked", title: `${key}: no ${kindName(kind)} spans sampled` });
            continue;
        }
        const count = carrying(key, kind);
        findings.push(count === 0
            ? { area: "shapes", status: "fail", title: `0 of ${total} ${kindName(kind)} spans carry \`${key}\`: ${consequence}`,
                fix: "Snowflake may have renamed the attribute: find its new name in RECORD_ATTRIBUTES of a recent span and report it as a Wallmonitor issue" }
            : { area: "shapes", status: count < total ? "warn" : "pass", title: `${count} of ${total} ${kindName(kind)} spans carry \`${key}\`` +
                (count < total ? `: for the others ${consequence}` : "") });
    }
    const evaluationTypes = evaluationSpanTypes();
    const isEvaluation = (row: Readonly<Record<string, unknown>>) =>
        cell(row, "HAS_RUN_NAME").toLowerCase() === "true" || evaluationTypes.has(cell(row, "SPAN_TYPE").toLowerCase());
    const { exact, prefixes } = recognisedSpanNames();
    const unknown = new Map<string, number>();
    // Evaluation spans have names of their own (EvalRoot_*, Eval_*); ingestion keeps them apart by their marks, not their names.
    for (const row of agentRows.filter((candidate) => !isEvaluation(candidate))) {
        const name = cell(row, "SPAN_NAME");
        if (!exact.has(name) && !prefixes.some((prefix) => name.startsWith(prefix))) {
            unknown.set(name, (unknown.get(name) ?? 0) + Number(cell(row, "SPANS")));
        }
    }
    const unknownSpans = [...unknown.values()].reduce((sum, count) => sum + count, 0);
    findings.push(unknown.size === 0
        ? { area: "shapes", status: "pass", title: "every sampled span name is one Wallmonitor categorises" }
        : { area: "shapes", status: "warn", title: `${unknownSpans} of ${totals.ANY} spans have names Wallmonitor does not recognise (counted as OTHER)`,
            evidence: [...unknown].sort((a, b) => b[1] - a[1]).map(([name, count]) => `${name} (${count})`).join(", "),
            fix: "report the names as a Wallmonitor issue, so ingestion categorises them (sql/ingestion/parsed_events.sql)" });
    const otherTypes = new Map<string, number>();
    for (const row of names.rows.filter((candidate) => !isAgent(candidate))) {
        otherTypes.set(cell(row, "OBJECT_TYPE"), (otherTypes.get(cell(row, "OBJECT_TYPE")) ?? 0) + Number(cell(row, "SPANS")));
    }
    if (otherTypes.size > 0) {
        findings.push({ area: "shapes", status: "pass", title: `spans of other object types are left out: ${[...otherTypes].map(([type, count]) => `${type} (${count})`).join(", ")}` });
    }
    const evaluation = spans(agentRows.filter(isEvaluation));
    findings.push({ area: "shapes", status: "pass", title: `${evaluation} of ${totals.ANY} spans belong to evaluation runs ` +
        `(an evaluation span type or \`${EVALUATION_KEY}\`): kept out of production metrics` });
    return findings;
});
