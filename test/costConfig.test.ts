import { expect } from "chai";

import { buildSqlCatalog } from "../lib/sql/catalog";
import { ConfigError, DEFAULTS, parseConfig, WallmonitorConfig } from "../lib/config/stack";
import { mappingRows, rateRows } from "../lib/sql/costCatalog";
import { DEFAULT_MODEL_RATES, effectiveModelRates, teamMappingRows } from "../lib/config/cost";
import { literal, renderSql } from "../lib/sql/render";

function parse(values: Record<string, string>): WallmonitorConfig {
    return parseConfig({ get: (key) => values[key] });
}

function rejects(values: Record<string, string>, message: RegExp): ConfigError {
    let error: unknown;
    try {
        parse(values);
    } catch (caught) {
        error = caught;
    }
    expect(error, JSON.stringify(values)).to.be.instanceOf(ConfigError);
    expect((error as ConfigError).message).to.match(message);
    return error as ConfigError;
}

describe("cost config", () => {
    it("defaults to the default rate table, USD 3.00 a credit, record_id and no mappings or tags", () => {
        const config = parse({});
        expect(config.costCreditPrice).to.equal("3.00");
        expect(config.costCurrency).to.equal("USD");
        expect(config.costUsageJoinKey).to.equal("record_id");
        expect(config.costUseTags).to.equal(false);
        expect(config.costTeamTag).to.equal("TEAM");
        expect(config.costModelRates).to.equal(undefined);
        expect(effectiveModelRates(config).map(([model]) => model)).to.deep.equal(Object.keys(DEFAULT_MODEL_RATES).sort());
        expect(teamMappingRows(config)).to.deep.equal([]);
    });

    it("overrides one token class of a known model and keeps its other defaults", () => {
        const config = parse({ costModelRates: '{"claude-4-sonnet": {"output": 9}}' });
        const rates = Object.fromEntries(effectiveModelRates(config).map(([model, rate, source]) => [model, { rate, source }]));
        expect(rates["claude-4-sonnet"]).to.deep.equal({
            rate: { ...DEFAULT_MODEL_RATES["claude-4-sonnet"], output: 9 }, source: "CONFIG",
        });
        expect(rates["llama3.3-70b"].source).to.equal("DEFAULT");
    });

    it("adds a model it does not know when all four rates are given", () => {
        const config = parse({ costModelRates: '{"acme-llm-2": {"input": 1, "output": 2, "cacheRead": 0, "cacheWrite": 1.5}}' });
        const added = effectiveModelRates(config).find(([model]) => model === "acme-llm-2")!;
        expect(added[1]).to.deep.equal({ input: 1, output: 2, cacheRead: 0, cacheWrite: 1.5 });
    });

    it("reads team mappings, upper-casing user and agent names", () => {
        const config = parse({
            costTeamsByUser: '{"FINANCE": ["alice", "BOB"], "Sales Ops": ["carmen"]}',
            costTeamsByAgent: '{"HR": ["hr_db.bots.hr_helpdesk"]}',
        });
        expect(teamMappingRows(config)).to.deep.equal([
            ["USER", "ALICE", "FINANCE"], ["USER", "BOB", "FINANCE"], ["USER", "CARMEN", "Sales Ops"],
            ["AGENT", "HR_DB.BOTS.HR_HELPDESK", "HR"],
        ]);
    });

    it("accepts join keys, currencies and booleans in any case", () => {
        const config = parse({ costUsageJoinKey: "REQUEST_ID", costCurrency: "eur", costUseTags: "true", costTeamTag: "cost_center" });
        expect(config.costUsageJoinKey).to.equal("request_id");
        expect(config.costCurrency).to.equal("EUR");
        expect(config.costUseTags).to.equal(true);
        expect(config.costTeamTag).to.equal("COST_CENTER");
    });

    const bad: [string, Record<string, string>, RegExp][] = [
        ["an unknown model with only some rates", { costModelRates: '{"claude-9-sonet": {"input": 1}}' },
            /costModelRates: unknown model claude-9-sonet .*check its spelling, or give all four rates .*output, cacheRead, cacheWrite are missing/],
        ["a negative rate", { costModelRates: '{"claude-4-sonnet": {"input": -1}}' },
            /costModelRates: claude-4-sonnet\.input is -1; a rate is credits per million tokens, a number from 0 to 1000/],
        ["a rate given as text", { costModelRates: '{"llama3.3-70b": {"output": "2"}}' }, /llama3\.3-70b\.output is "2"/],
        ["a misplaced decimal point", { costModelRates: '{"llama3.3-70b": {"output": 12100}}' }, /from 0 to 1000/],
        ["an unknown token class", { costModelRates: '{"llama3.3-70b": {"prompt": 1}}' },
            /llama3\.3-70b has prompt; the token classes are input, output, cacheRead, cacheWrite/],
        ["a model name with a quote", { costModelRates: `{"x'; DROP TABLE T": {"input": 1}}` }, /is not a Cortex model name/],
        ["rates that are not JSON", { costModelRates: "claude-4-sonnet=1" }, /costModelRates: is not valid JSON/],
        ["rates as a list", { costModelRates: "[1, 2]" }, /costModelRates: must be a JSON object of model -> rates/],
        ["a team mapping that names no user", { costTeamsByUser: '{"FINANCE": []}' },
            /costTeamsByUser: team FINANCE names no user name: give a non-empty list/],
        ["a team mapping that names no agent", { costTeamsByAgent: '{"HR": []}' }, /costTeamsByAgent: team HR names no agent/],
        ["a user in two teams", { costTeamsByUser: '{"A": ["ALICE"], "B": ["alice"]}' },
            /costTeamsByUser: ALICE is in both A and B; a user name belongs to one team/],
        ["an agent that is not DATABASE.SCHEMA.AGENT", { costTeamsByAgent: '{"HR": ["HR_HELPDESK"]}' },
            /costTeamsByAgent: team HR: "HR_HELPDESK" is not a agent \(DATABASE\.SCHEMA\.AGENT\)/],
        ["a user that is not a string", { costTeamsByUser: '{"FINANCE": [42]}' }, /team FINANCE: 42 is not a user name/],
        ["the UNASSIGNED team mapped", { costTeamsByUser: '{"unassigned": ["ALICE"]}' }, /UNASSIGNED is the bucket .* cannot be mapped/],
        ["a team name with a quote", { costTeamsByUser: `{"O'Brien": ["ALICE"]}` }, /is not a team name/],
        ["a zero price", { costCreditPrice: "0" }, /costCreditPrice: "0" is not a price per credit/],
        ["a negative price", { costCreditPrice: "-2.5" }, /costCreditPrice: "-2.5" is not a price per credit/],
        ["a price in words", { costCreditPrice: "three" }, /costCreditPrice: /],
        ["a currency that is no code", { costCurrency: "dollars" }, /costCurrency: "dollars" is not a currency code/],
        ["an unknown join key", { costUsageJoinKey: "trace_id" }, /costUsageJoinKey: "trace_id" is not one of the accepted values: record_id, request_id/],
        ["a non-boolean costUseTags", { costUseTags: "yes" }, /costUseTags: "yes" is not a boolean/],
        ["a qualified tag name", { costTeamTag: "GOV.TAGS.TEAM" }, /costTeamTag: .* without database and schema/],
    ];
    for (const [what, values, message] of bad) {
        it(`refuses ${what}, naming the key and the fix`, () => {
            rejects(values, message);
        });
    }

    it("renders the rate table and the mappings as rows of constants only", () => {
        const config = parse({ costModelRates: '{"claude-4-sonnet": {"input": 2}}', costTeamsByUser: '{"FINANCE": ["ALICE"]}' });
        const sql = buildSqlCatalog(config).cost;
        expect(sql.COST_MODEL_RATES.text).to.include("('claude-4-sonnet', 2, 8.25, 0.165, 2.0625, 'CONFIG')");
        expect(sql.COST_TEAM_MAPPINGS.text).to.include("('USER', 'ALICE', 'FINANCE')");
        expect(rateRows(config).rows).to.have.length(Object.keys(DEFAULT_MODEL_RATES).length);
        expect(mappingRows(DEFAULTS).rows).to.deep.equal([[null, null, null]]);
    });

    it("renders rows of constants only when every row has the same cells", () => {
        const text = renderSql("cost/team_mappings.sql", { MAPPINGS: { rows: [[literal("USER"), literal("A"), literal("T")], [null, 1.5, 2]] } }).text;
        expect(text).to.include("('USER', 'A', 'T'),\n    (NULL, 1.5, 2)");
        expect(() => renderSql("cost/team_mappings.sql", { MAPPINGS: { rows: [[literal("USER")], [null, null]] } }))
            .to.throw(/same, non-zero number of cells/);
        expect(() => renderSql("cost/team_mappings.sql", { MAPPINGS: { rows: [] } })).to.throw(/same, non-zero number of cells/);
        expect(() => renderSql("cost/team_mappings.sql", { MAPPINGS: { rows: [[Number.POSITIVE_INFINITY]] } })).to.throw(/finite number/);
    });

    it("reads the join key from one column, and the other candidate only to measure it", () => {
        const recordId = buildSqlCatalog(DEFAULTS).cost.COST_REQUESTS.text;
        expect(recordId).to.include("h.RECORD_ID, NULL)), MAX(h.RECORD_ID)) AS JOIN_KEY");
        expect(recordId).to.include("h.REQUEST_ID, NULL)), MAX(h.REQUEST_ID)) AS ALTERNATE_KEY");
        const requestId = buildSqlCatalog(parse({ costUsageJoinKey: "request_id" })).cost.COST_REQUESTS.text;
        expect(requestId).to.include("MAX(h.REQUEST_ID)) AS JOIN_KEY");
        expect(buildSqlCatalog(DEFAULTS).cost.COST_LEDGER.text).to.include("* 3 AS AMOUNT").and.to.include("'USD' AS CURRENCY");
    });
});

describe("cost config: the CoWork usage view", () => {
    const reads = (config: WallmonitorConfig) => buildSqlCatalog(config).cost.COST_USAGE.text
        .split("\n").filter((line) => /^\s*FROM SNOWFLAKE\./.test(line)).map((line) => line.trim());

    it("reads CORTEX_AGENT_USAGE_HISTORY and, by default, SNOWFLAKE_COWORK_USAGE_HISTORY, nothing else", () => {
        expect(DEFAULTS.costCoworkUsageView).to.equal("SNOWFLAKE_COWORK_USAGE_HISTORY");
        expect(parse({}).costCoworkUsageView).to.equal("SNOWFLAKE_COWORK_USAGE_HISTORY");
        expect(reads(DEFAULTS)).to.deep.equal([
            "FROM SNOWFLAKE.ACCOUNT_USAGE.CORTEX_AGENT_USAGE_HISTORY AS u",
            "FROM SNOWFLAKE.ACCOUNT_USAGE.SNOWFLAKE_COWORK_USAGE_HISTORY AS c",
        ]);
        expect(buildSqlCatalog(DEFAULTS).cost.COST_USAGE.text).to.include("WHERE c.REQUEST_ID IS NOT NULL AND TRUE");
    });

    it("reads the former Snowflake Intelligence name instead, never both, when configured (any case)", () => {
        const config = parse({ costCoworkUsageView: "snowflake_intelligence_usage_history" });
        expect(config.costCoworkUsageView).to.equal("SNOWFLAKE_INTELLIGENCE_USAGE_HISTORY");
        expect(reads(config)).to.deep.equal([
            "FROM SNOWFLAKE.ACCOUNT_USAGE.CORTEX_AGENT_USAGE_HISTORY AS u",
            "FROM SNOWFLAKE.ACCOUNT_USAGE.SNOWFLAKE_INTELLIGENCE_USAGE_HISTORY AS c",
        ]);
        expect(buildSqlCatalog(config).cost.COST_USAGE.text).to.include("'SNOWFLAKE_INTELLIGENCE_USAGE_HISTORY' AS USAGE_VIEW");
    });

    it("with NONE names no CoWork view at all, so the cost views compile on an account without one", () => {
        const config = parse({ costCoworkUsageView: "none" });
        expect(reads(config)).to.deep.equal([
            "FROM SNOWFLAKE.ACCOUNT_USAGE.CORTEX_AGENT_USAGE_HISTORY AS u",
            "FROM SNOWFLAKE.ACCOUNT_USAGE.CORTEX_AGENT_USAGE_HISTORY AS c",
        ]);
        const text = buildSqlCatalog(config).cost.COST_USAGE.text;
        expect(text).to.include("WHERE c.REQUEST_ID IS NOT NULL AND FALSE");
        expect(text.replace(/^\s*--.*$/gm, "")).not.to.match(/COWORK_USAGE_HISTORY|INTELLIGENCE_USAGE_HISTORY/);
    });

    it("refuses any other value, naming the key, the choices and how to find the account's view", () => {
        rejects({ costCoworkUsageView: "SNOWFLAKE.ACCOUNT_USAGE.SNOWFLAKE_COWORK_USAGE_HISTORY" },
            /costCoworkUsageView: .* is not one of the accepted values: SNOWFLAKE_COWORK_USAGE_HISTORY, SNOWFLAKE_INTELLIGENCE_USAGE_HISTORY, NONE\. .*SHOW VIEWS LIKE/);
        rejects({ costCoworkUsageView: "both" }, /costCoworkUsageView: "both" is not one of the accepted values/);
    });
});
