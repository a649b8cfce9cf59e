import { expect } from "chai";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { ALERT_RULE_NAMES } from "../lib/config/alerts";
import { parseConfig, WallmonitorConfig } from "../lib/config/stack";
import { alertingEmbedding, alertingProcedureDefinition, buildAlertSql, RULE_STATEMENTS } from "../lib/sql/alertCatalog";
import { buildSqlCatalog, ROLLUP_STEP_STATEMENTS, ROLLUP_STEPS } from "../lib/sql/catalog";
import { embeddedHandler, procedureEmbedding } from "../lib/sql/embedding";
import { ingestionEmbedding, ingestionProcedureDefinition } from "../lib/sql/procedures";
import { renderBinds, RenderedSql } from "../lib/sql/render";
import { readStackConfig } from "../plan/offline";

const STACKS = ["dev", "prod", "central", "member-apps", "member-eu"];

function stackConfig(stack: string): WallmonitorConfig {
    const raw = readStackConfig(stack);
    return parseConfig({ get: (key) => raw[`wallmonitor:${key}`] });
}

describe("{{bind name}} in a template", () => {
    it("renders each marker as ? and lists the names in order, a repeated name each time", () => {
        expect(renderBinds("t.sql", "SELECT {{bind a}}, {{ bind b_2 }}, {{bind a}} FROM {{TABLE}}"))
            .to.deep.equal({ text: "SELECT ?, ?, ? FROM {{TABLE}}", binds: ["a", "b_2", "a"] });
        expect(renderBinds("t.sql", "SELECT 1")).to.deep.equal({ text: "SELECT 1", binds: [] });
    });

    it("leaves a ? in a comment, a string or a quoted identifier alone", () => {
        const template = "-- is it ? or not\nSELECT '?' AS Q, \"A?\" AS R, {{bind a}} /* ? */";
        expect(renderBinds("t.sql", template).binds).to.deep.equal(["a"]);
    });

    it("refuses a bare ?, so every bound value is declared by name", () => {
        expect(() => renderBinds("x/y.sql", "DELETE FROM T WHERE D < ?")).to.throw(/x\/y\.sql: a bare \? binds a value no one named/);
    });

    it("refuses a malformed marker and a marker outside code", () => {
        expect(() => renderBinds("t.sql", "SELECT {{bind AsOf}}")).to.throw(/lower_snake_case/);
        expect(() => renderBinds("t.sql", "SELECT {{bind}}")).to.throw(/lower_snake_case/);
        expect(() => renderBinds("t.sql", "-- {{bind as_of}}\nSELECT 1")).to.throw(/inside a comment or quoted text/);
        expect(() => renderBinds("t.sql", "SELECT '{{bind as_of}}'")).to.throw(/inside a comment or quoted text/);
    });

    for (const statement of [
        "CREATE OR REPLACE SECURE VIEW {{V}} AS SELECT {{bind a}}",
        "create dynamic table {{T}} TARGET_LAG = '1 minute' AS SELECT {{bind a}}",
        "CREATE OR REPLACE TASK {{T}} AS CALL P({{bind a}})",
        "-- the body is stored\nCREATE OR REPLACE PROCEDURE {{P}}(X NUMBER DEFAULT {{bind a}})",
        "CREATE NOTIFICATION INTEGRATION {{I}} TYPE = EMAIL ALLOWED_RECIPIENTS = ({{bind a}})",
        "CREATE PIPE {{P}} AS COPY INTO T FROM {{bind a}}",
        "ALTER REPLICATION GROUP {{G}} SET REPLICATION_SCHEDULE = {{bind a}}",
    ]) {
        it(`refuses a bind in a statement Snowflake stores or refuses binds in: ${statement.split("\n").pop()!.slice(0, 40)}`, () => {
            expect(() => renderBinds("t.sql", statement)).to.throw(/\{\{bind a\}\} in a [A-Z ]+ statement; render the value from config/);
        });
    }

    it("takes binds where Snowflake takes them: a session's scratch table, a secret's value", () => {
        expect(renderBinds("t.sql", "CREATE OR REPLACE TEMPORARY TABLE {{T}} AS SELECT {{bind a}} AS A").binds).to.deep.equal(["a"]);
        expect(renderBinds("t.sql", "CREATE OR REPLACE SECRET {{S}} TYPE = GENERIC_STRING SECRET_STRING = {{bind secret_string}}").binds)
            .to.deep.equal(["secret_string"]);
    });

    it("refuses a bound identifier", () => {
        expect(() => renderBinds("t.sql", "SELECT * FROM IDENTIFIER({{bind table_name}})")).to.throw(/never bound: IDENTIFIER/);
    });
});

describe("the binds of the rendered catalog", () => {
    const config = stackConfig("dev");
    const catalog = buildSqlCatalog(config);

    it("names the binds of a statement and of its includes in the order of their ?s", () => {
        expect(catalog.procedureStatements.insert_agent_events.binds).to.deep.equal([
            "agent_database", "agent_schema", "agent_name", "agent_database", "agent_schema", "agent_name", "read_from", "read_from"]);
        // read_points.sql, included before the statement's own markers.
        expect(catalog.procedureStatements.insert_events_from_event_table.binds).to.deep.equal([
            "lookback_hours", "history_days", "earliest_read_from", "earliest_read_from"]);
        for (const sql of Object.values(catalog.procedureStatements)) {
            expect(sql.text.split("?").length - 1, sql.files[0]).to.equal(sql.binds.length);
        }
    });

    for (const stack of STACKS) {
        it(`binds nothing in what Snowflake stores and re-runs (views, dynamic tables, tasks) of the ${stack} stack`, () => {
            const sql = buildSqlCatalog(stackConfig(stack));
            const alerts = buildAlertSql(stackConfig(stack));
            const stored: [string, RenderedSql][] = [
                ...Object.entries(sql.views), ...Object.entries(sql.dynamicTables), ...Object.entries(sql.tasks),
                ...Object.entries(sql.cost), ["alert task", alerts.task], ...Object.entries(alerts.views),
            ];
            expect(stored.filter(([, rendered]) => rendered.binds.length > 0).map(([name]) => name)).to.deep.equal([]);
        });
    }
});

describe("what the procedures embed", () => {
    const config = stackConfig("dev");
    const statements = buildSqlCatalog(config).procedureStatements;
    const alertSql = buildAlertSql(config);

    it("carries every statement's bind names and the rollup steps' statements, in ROLLUP_STEPS order", () => {
        const embedding = ingestionEmbedding(statements);
        expect(Object.keys(embedding.binds)).to.deep.equal(Object.keys(statements));
        expect(embedding.binds.read_from).to.deep.equal(statements.read_from.binds);
        expect(embedding.names.rollupSteps).to.deep.equal(ROLLUP_STEP_STATEMENTS);
        expect((embedding.names.rollupSteps as typeof ROLLUP_STEP_STATEMENTS).map((step) => step.insert))
            .to.deep.equal(ROLLUP_STEPS.map((step) => `rollup_insert_${step}`));
    });

    it("carries each alert rule's statement, named by the rule's settings, binding AS_OF only", () => {
        const embedding = alertingEmbedding(alertSql);
        const ruleInfo = alertSql.settings.ruleInfo as Record<string, { statement: string }>;
        expect(Object.keys(ruleInfo)).to.have.members([...ALERT_RULE_NAMES]);
        for (const rule of ALERT_RULE_NAMES) {
            expect(ruleInfo[rule].statement).to.equal(RULE_STATEMENTS[rule]);
            // AS_OF may be bound more than once: the window start a rule reads history from repeats it
            // (evaluation/production_history_from.sql), so Snowflake can prune by it.
            expect([...new Set(embedding.binds[RULE_STATEMENTS[rule]])], rule).to.deep.equal(["as_of"]);
        }
    });

    it("refuses a grouped statement name that is not rendered", () => {
        expect(() => procedureEmbedding(statements, { rollupSteps: [{ delete: "rollup_delete_agents" }] }))
            .to.throw(/statement names rollup_delete_agents are grouped for the handler but not rendered/);
    });

    it("refuses a handler that does not import sql_binds on exactly one line", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wm-binds-"));
        const handler = path.join(dir, "handler.py");
        fs.writeFileSync(handler, "STATEMENTS = {}\n");
        expect(() => embeddedHandler(handler, ingestionEmbedding(statements), JSON.stringify))
            .to.throw(/handler\.py must import sql_binds on exactly one line \(found 0\)/);
        fs.rmSync(dir, { recursive: true });
    });

    for (const [label, body, statement, values, expected] of [
        ["ingestion", () => ingestionProcedureDefinition(statements), "read_from",
            { agent_name: "BOT", agent_schema: "AGENTS", agent_database: "DB", history_days: 7, lookback_hours: 24 },
            [24, 7, "DB", "AGENTS", "BOT"]],
        ["alerting", () => alertingProcedureDefinition(alertSql), "delete_state",
            { agent_name: "BOT", rule_name: "error_rate", agent_schema: "AGENTS", agent_database: "DB" },
            ["error_rate", "DB", "AGENTS", "BOT"]],
    ] as const) {
        it(`is one Python module for ${label} that orders values by name and refuses a missing one`, () => {
            const source = body();
            expect(source).not.to.match(/^from sql_binds import/m);
            const program = [
                "import json, sys, types",
                "module = types.ModuleType('handler')",
                "exec(compile(sys.stdin.read(), 'body', 'exec'), module.__dict__)",
                "statements = module.EMBEDDED",
                `ordered = statements.params(${JSON.stringify(statement)}, json.loads(${JSON.stringify(JSON.stringify(values))}))`,
                "try:",
                `    statements.params(${JSON.stringify(statement)}, {})`,
                "    refused = None",
                "except module.BindError as error:",
                "    refused = str(error)",
                "print(json.dumps({'ordered': ordered, 'refused': refused, 'statements': sorted(statements),",
                "                  'binds': {name: list(statements.binds(name)) for name in statements}}))",
            ].join("\n");
            const result = JSON.parse(execFileSync("python3", ["-c", program], { input: source, encoding: "utf8" })) as {
                ordered: unknown[]; refused: string | null; statements: string[]; binds: Record<string, string[]>;
            };
            expect(result.ordered).to.deep.equal(expected);
            expect(result.refused).to.match(new RegExp(`^statement ${statement}: no value for `));
            const rendered: Readonly<Record<string, RenderedSql>> = label === "ingestion" ? statements : alertSql.statements;
            expect(result.statements).to.deep.equal(Object.keys(rendered).sort());
            expect(result.binds).to.deep.equal(Object.fromEntries(Object.entries(rendered).map(([name, sql]) => [name, sql.binds])));
        });
    }
});
