import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";

import { RELIED_ON, SpanKind } from "../doctor/shapes";
import { SQL_ROOT } from "../lib/sql/render";

const sqlText = (file: string) => fs.readFileSync(path.join(SQL_ROOT, file), "utf8");

/** The history column ingestion parses an attribute key into: the first `AS <COLUMN>` after the key in parsed_events.sql. */
function parsedColumn(key: string): string {
    const text = sqlText("ingestion/parsed_events.sql");
    const at = text.indexOf(`RECORD_ATTRIBUTES:"${key}"`);
    expect(at, `ingestion/parsed_events.sql reads ${key}`).to.be.greaterThan(-1);
    return /\bAS ([A-Z_]+)\b/.exec(text.slice(at))![1];
}

/** The (span kind, column) pairs the cycle's coverage statement counts. */
function countedPairs(): Set<string> {
    const text = sqlText("ingestion/record_shape_coverage.sql");
    return new Set([...text.matchAll(/SELECT '([A-Z]+)'(?: AS SPAN_KIND)?, '([A-Z_]+)'/g)].map((match) => `${match[1]} ${match[2]}`));
}

describe("shape coverage every cycle: the doctor's relied-on attributes", () => {
    // ANY-kind keys name the agent: a span without them is never ingested, so only the doctor can see them go.
    const perKind = RELIED_ON.filter((entry): entry is typeof entry & { kind: Exclude<SpanKind, "ANY"> } => entry.kind !== "ANY");

    it("counts, on spans of the same kind, the column each attribute the doctor checks is parsed into", () => {
        expect(perKind.length).to.be.greaterThan(0);
        const counted = countedPairs();
        for (const { key, kind } of perKind) {
            expect([...counted], `${key} (${kind})`).to.include(`${kind} ${parsedColumn(key)}`);
        }
    });

    it("finds the column of an attribute read alone and of one read in a COALESCE", () => {
        expect(parsedColumn("snow.ai.observability.agent.planning.token_count.input")).to.equal("PROMPT_TOKENS");
        expect(parsedColumn("snow.ai.observability.agent.status.code")).to.equal("STATUS_CODE");
    });
});
