import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { renderSql } from "../lib/sql/render";
import { templateParameters } from "../lib/sql/template";

/**
 * `{{expr NAME = text}}` (lib/sql/template.ts): a statement gives a partial an expression, such as
 * the start of what evaluation/production_history_from.sql reads, put in as SQL of the statement
 * with its placeholders and binds, so a bound evaluation time used twice binds twice.
 */
const roots: string[] = [];
after(() => roots.forEach((root) => fs.rmSync(root, { recursive: true, force: true })));

/** Renders `text` as a template of a root of its own; its includes come from sql/. */
function render(text: string, values: Record<string, number | { identifier: string }> = {}) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "wm-expr-"));
    roots.push(root);
    fs.writeFileSync(path.join(root, "statement.sql"), text);
    return { rendered: () => renderSql("statement.sql", values, { root }), parameters: () => templateParameters("statement.sql", root) };
}

const HISTORY = { HISTORY_TABLE: { identifier: "DB.S.AGENT_EVENTS_HISTORY" }, TRACE_MARGIN_DAYS: 1 };
const READ_FROM = "{{expr READ_FROM = DATEADD('minute', -{{WINDOW_MINUTES}}, CAST({{bind as_of}} AS TIMESTAMP_NTZ))}}";

describe("SQL expressions a statement gives its partials ({{expr NAME = ...}})", () => {
    it("puts the statement's expression into the partial, binding its value at each use", () => {
        const sql = render(`-- a rule\n${READ_FROM}\nSELECT COUNT(*) FROM ({{> evaluation/production_history_from.sql}}) AS h\n` +
            "WHERE h.EVENT_TIMESTAMP <= CAST({{bind as_of}} AS TIMESTAMP_NTZ)", { ...HISTORY, WINDOW_MINUTES: 60 }).rendered();
        expect(sql.text).to.include("AND EVENT_TIMESTAMP >= DATEADD('day', -1, DATEADD('minute', -60, CAST(? AS TIMESTAMP_NTZ)))");
        expect(sql.text).to.include("WHERE h.EVENT_TIMESTAMP >= DATEADD('minute', -60, CAST(? AS TIMESTAMP_NTZ))");
        expect(sql.text).not.to.match(/\{\{|expr|READ_FROM/);
        expect(sql.binds).to.deep.equal(["as_of", "as_of", "as_of"]);
        expect(sql.files).to.deep.equal(["statement.sql", "evaluation/production_history_from.sql", "evaluation/history_from.sql"]);
    });

    it("counts the placeholders of a definition as the statement's (the registry checks them)", () => {
        const parameters = render(`${READ_FROM}\nSELECT * FROM ({{> evaluation/production_history_from.sql}}) AS h`).parameters();
        expect(parameters.placeholders).to.have.members(["WINDOW_MINUTES", "HISTORY_TABLE", "TRACE_MARGIN_DAYS"]);
    });

    it("lets a definition use another of the same file", () => {
        const sql = render("{{expr SECONDS = 21600}}\n{{expr READ_FROM = DATEADD('second', -{{expr SECONDS}}, SYSDATE())}}\n" +
            "SELECT {{expr SECONDS}} AS S FROM ({{> evaluation/production_history_from.sql}}) AS h", HISTORY).rendered();
        expect(sql.text).to.include("WHERE h.EVENT_TIMESTAMP >= DATEADD('second', -21600, SYSDATE())");
        expect(sql.text).to.match(/^SELECT 21600 AS S/);
    });

    it("refuses a partial's expression no including file defines, naming the fix", () => {
        expect(() => render("SELECT * FROM ({{> evaluation/production_history_from.sql}}) AS h", HISTORY).rendered())
            .to.throw(/statement\.sql: \{\{expr READ_FROM\}\} is used but never defined; .* defines it with \{\{expr READ_FROM = \.\.\.\}\}/);
    });

    it("refuses a definition nothing uses, one given twice, one not on a line of its own, and a cycle", () => {
        expect(() => render(`${READ_FROM}\nSELECT 1`).rendered())
            .to.throw(/statement\.sql: \{\{expr READ_FROM\}\} is defined but neither this file nor its includes use it/);
        expect(() => render(`${READ_FROM}\n${READ_FROM}\nSELECT * FROM ({{> evaluation/production_history_from.sql}}) AS h`).rendered())
            .to.throw(/statement\.sql: \{\{expr READ_FROM\}\} is defined twice/);
        expect(() => render(`SELECT 1 ${READ_FROM}`).rendered()).to.throw(/definition stands on a line of its own/);
        expect(() => render("{{expr A = {{expr B}} + 1}}\n{{expr B = {{expr A}} + 1}}\nSELECT {{expr A}}").rendered())
            .to.throw(/definitions use each other in a cycle/);
    });
});
