import { expect } from "chai";

import { buildAlertSql } from "../lib/sql/alertCatalog";
import { sloObjectiveRows } from "../lib/config/slo";
import { buildSqlCatalog } from "../lib/sql/catalog";
import { sloRows } from "../lib/sql/sloRows";
import { configErrorOf, parseValues } from "./helpers/config";

/** wallmonitor:slos (issue 20, "SLOs and error budgets"): parsing, its errors, and what it renders. */

const BOTH = JSON.stringify([{
    agent: "SALES_DB.AGENTS.SALES_BOT",
    availability: { target: 99.5, windowDays: 28 },
    latency: { thresholdMs: 8000, target: 99, windowDays: 28 },
}]);

function sloError(value: unknown): string {
    const error = configErrorOf({ slos: typeof value === "string" ? value : JSON.stringify(value) });
    expect(error.key).to.equal("slos");
    expect(error.message).to.match(/^Invalid config wallmonitor:slos: /);
    return error.message;
}

describe("SLO config (wallmonitor:slos)", () => {
    it("is off by default: no objective, and both burn-rate rules disabled", () => {
        const config = parseValues({});
        expect(config.slos).to.equal(undefined);
        expect(sloRows(config)).to.deep.equal({ rows: [[null, null, null, null, null, null]] });
        const rules = buildAlertSql(config).settings.rules.defaults;
        expect(rules.slo_fast_burn.enabled).to.equal(false);
        expect(rules.slo_slow_burn.enabled).to.equal(false);
        expect(rules.error_rate.enabled).to.equal(true);
    });

    it("parses objectives into fraction targets, one row per objective, in list order", () => {
        const config = parseValues({ slos: JSON.stringify([
            JSON.parse(BOTH)[0],
            { agent: "sales_db.%", availability: { target: 99.9, windowDays: 7 } },
        ]) });
        expect(sloObjectiveRows(config.slos)).to.deep.equal([
            { position: 1, agentPattern: "SALES_DB.AGENTS.SALES_BOT", objective: "availability", target: 0.995, windowDays: 28, thresholdMs: null },
            { position: 1, agentPattern: "SALES_DB.AGENTS.SALES_BOT", objective: "latency", target: 0.99, windowDays: 28, thresholdMs: 8000 },
            { position: 2, agentPattern: "SALES_DB.%", objective: "availability", target: 0.999, windowDays: 7, thresholdMs: null },
        ]);
        const rules = buildAlertSql(config).settings.rules.defaults;
        expect([rules.slo_fast_burn.enabled, rules.slo_slow_burn.enabled]).to.deep.equal([true, true]);
    });

    it("renders the objectives into the views and the rules as constants, never as binds", () => {
        const config = parseValues({ slos: BOTH });
        const catalog = buildSqlCatalog(config);
        for (const sql of [catalog.views.SLO_STATUS, catalog.views.SLO_BUDGET_DAILY]) {
            expect(sql.text).to.include("(1, 'SALES_DB.AGENTS.SALES_BOT', 'latency', 0.99, 28, 8000)");
            expect(sql.binds).to.deep.equal([]);
        }
        const fast = catalog.alerts.statements.rule_slo_fast_burn;
        expect(fast.text).to.include("(1, 'SALES_DB.AGENTS.SALES_BOT', 'availability', 0.995, 28, NULL)");
        expect([...new Set(fast.binds)]).to.deep.equal(["as_of"]);
        expect(fast.text).to.include("SELECT 'long' AS WINDOW_NAME, 60 * 60 AS SECONDS");
        expect(catalog.alerts.statements.rule_slo_slow_burn.text).to.include("SELECT 'long' AS WINDOW_NAME, 360 * 60 AS SECONDS");
    });

    it("takes an empty list as no objectives", () => {
        expect(sloObjectiveRows(parseValues({ slos: "[]" }).slos)).to.deep.equal([]);
    });

    const refused: [string, unknown, RegExp][] = [
        ["not JSON", "[{agent:", /is not valid JSON .*for example \[\{"agent"/],
        ["not a list", { agent: "A.B.C" }, /must be a JSON list of objectives/],
        ["an entry without an objective", [{ agent: "A.B.C" }], /\[0\] \(A\.B\.C\) sets no objective; give availability, latency or both/],
        ["an unknown field", [{ agent: "A.B.C", availability: { target: 99, windowDays: 7 }, errors: 1 }], /\[0\] has unknown field\(s\) errors/],
        ["a quote in the agent", [{ agent: "A.B.C'--", availability: { target: 99, windowDays: 7 } }], /\[0\]\.agent .*LIKE pattern/],
        ["a target of 100", [{ agent: "A.B.C", availability: { target: 100, windowDays: 7 } }], /\[0\]\.availability\.target is 100; .*below 100.*no error budget/],
        ["a target of 0", [{ agent: "A.B.C", availability: { target: 0, windowDays: 7 } }], /target is 0; give a percentage above 0/],
        ["a target as text", [{ agent: "A.B.C", availability: { target: "99", windowDays: 7 } }], /target is "99"/],
        ["a window of 31 days", [{ agent: "A.B.C", availability: { target: 99, windowDays: 31 } }], /windowDays is 31; give a whole number of days from 1 to 30/],
        ["a fractional window", [{ agent: "A.B.C", availability: { target: 99, windowDays: 1.5 } }], /windowDays is 1\.5/],
        ["a latency objective without a threshold", [{ agent: "A.B.C", latency: { target: 99, windowDays: 7 } }], /\[0\]\.latency must give exactly thresholdMs, target, windowDays; missing thresholdMs/],
        ["a threshold of 0 ms", [{ agent: "A.B.C", latency: { thresholdMs: 0, target: 99, windowDays: 7 } }], /thresholdMs is 0; give a whole number of milliseconds from 1/],
        ["a threshold on availability", [{ agent: "A.B.C", availability: { thresholdMs: 5, target: 99, windowDays: 7 } }], /\[0\]\.availability must give exactly target, windowDays; unknown thresholdMs/],
        ["the same agent twice", [{ agent: "A.B.C", availability: { target: 99, windowDays: 7 } },
            { agent: "a.b.c", latency: { thresholdMs: 5, target: 99, windowDays: 7 } }], /\[1\]\.agent a\.b\.c is listed twice/],
    ];
    for (const [what, value, message] of refused) {
        it(`refuses ${what}, naming the key and the fix`, () => {
            expect(sloError(value)).to.match(message);
        });
    }
});
