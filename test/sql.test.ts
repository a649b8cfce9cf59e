import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";

import { buildAlertSql } from "../lib/sql/alertCatalog";
import { emailIntegrationInputs, emailIntegrationStatements } from "../provider/emailIntegration";
import { webhookIntegrationInputs, webhookIntegrationStatements } from "../provider/webhookIntegration";
import { buildSqlCatalog } from "../lib/sql/catalog";
import { DEFAULTS } from "../lib/config/stack";
import { buildCentralSql, buildMemberShareSql, identityKeySql } from "../lib/sql/orgCatalog";
import { doctorSqlFiles } from "../doctor/sql";
import { createTableStatement, ident, listSqlFiles, literal, renderSql, SQL_ROOT } from "../lib/sql/render";
import { expandIncludes } from "../lib/sql/template";
import { AGENT_REGISTRY } from "../lib/sql/tables";
import { aiObservabilityAccessInputs, aiObservabilityAccessStatements } from "../provider/aiObservabilityAccess";
import { grantAndProcedureStatements } from "./provider/grantFixtures";
import { dashboardAppStatements } from "./provider/streamlitFixtures";

describe("SQL rendering", () => {
    it("substitutes identifiers, numbers, booleans, literals and NULL", () => {
        const sql = renderSql("ingestion/discover_task.sql", {
            PROCEDURE: ident("DB", "WALLMONITOR", "DISCOVER_AGENTS"),
            INCLUDE_PATTERN: literal("SALES_%"),
            EXCLUDE_PATTERN: null,
        });
        expect(sql.text).to.match(/^-- .*\nCALL DB\.WALLMONITOR\.DISCOVER_AGENTS\('SALES_%', NULL, TRUE\)$/);
        expect(sql.files).to.deep.equal(["ingestion/discover_task.sql"]);
    });

    it("expands includes and reports every file used", () => {
        const sql = renderSql("ingestion/insert_agent_events.sql", {
            HISTORY_TABLE: ident("DB", "S", "AGENT_EVENTS_HISTORY"),
            STORE_CONVERSATION_TEXT: false,
            SOURCE_TEXT_REDACTED: true,
        });
        expect(sql.files).to.deep.equal(["ingestion/insert_agent_events.sql", "ingestion/insert_parsed_events.sql",
            "ingestion/is_cortex_agent.sql", "ingestion/parsed_events.sql"]);
        expect(sql.text).to.include("FROM SOURCE_EVENTS AS s");
        expect(sql.text).to.include("IFF(FALSE AND NOT s.SOURCE_TEXT_REDACTED, s.RECORD_ATTRIBUTES:\"snow.ai.observability.agent.messages\"");
    });

    it("refuses a placeholder without a value", () => {
        expect(() => renderSql("ingestion/apply_retention.sql", {})).to.throw(/no value for placeholder \{\{HISTORY_TABLE\}\}/);
    });

    it("refuses a value no placeholder uses", () => {
        expect(() => renderSql("ingestion/show_agents.sql", { TYPO: 1 })).to.throw(/values given but never used: TYPO/);
    });

    it("substitutes lists of literals or identifiers, and refuses an empty one", () => {
        const sql = renderSql("provider/streamlit/create_public_git_api_integration.sql", {
            INTEGRATION: ident("GIT_API"),
            ALLOWED_PREFIXES: { list: [literal("https://github.com/acme/"), literal("https://gitlab.com/acme/")] },
            COMMENT: literal("c"),
        });
        expect(sql.text).to.include("API_ALLOWED_PREFIXES = ('https://github.com/acme/', 'https://gitlab.com/acme/')");
        expect(() => renderSql("provider/streamlit/create_public_git_api_integration.sql", {
            INTEGRATION: ident("GIT_API"), ALLOWED_PREFIXES: { list: [] }, COMMENT: literal("c"),
        })).to.throw(/ALLOWED_PREFIXES is an empty list/);
        expect(() => literal("https://x/'); DROP")).to.throw(/cannot be a SQL literal/);
    });

    it("refuses identifiers and literals that could change a statement", () => {
        expect(() => ident("DB", "X; DROP TABLE Y")).to.throw(/not an unquoted UPPERCASE Snowflake identifier/);
        expect(() => renderSql("ingestion/apply_retention.sql", { HISTORY_TABLE: { identifier: "A.B--" } })).to.throw();
        expect(() => literal("x' OR '1'='1")).to.throw(/cannot be a SQL literal/);
        expect(() => literal("a\\")).to.throw(/cannot be a SQL literal/);
        expect(() => renderSql("ingestion/refresh_task.sql", {
            PROCEDURE: ident("P"), LOOKBACK_HOURS: Number.NaN, HISTORY_DAYS: 1,
        })).to.throw(/finite number/);
    });

    it("builds a table's DDL from its definition", () => {
        const ddl = createTableStatement("DB", "S", AGENT_REGISTRY);
        expect(ddl).to.match(/^CREATE TABLE IF NOT EXISTS DB\.S\.AGENT_REGISTRY \(\n/);
        expect(ddl).to.include("    AGENT_NAME VARCHAR(16777216) NOT NULL,");
        expect(ddl).to.include("    IS_ACTIVE BOOLEAN DEFAULT TRUE,");
        expect(ddl).to.include("    INCLUDE_PATTERN VARCHAR(16777216) DEFAULT '%',");
        expect(ddl).to.include("    ADDED_AT TIMESTAMP_NTZ(9) DEFAULT SYSDATE(),");
        expect(ddl).to.include("    REGISTERED_BY VARCHAR(16777216) DEFAULT 'MANUAL'\n)");
        // Like the table the Snowflake provider creates: no primary key.
        expect(ddl).not.to.include("PRIMARY KEY");
    });

    it("renders constant defaults as the Snowflake provider sends them, and refuses literals given as expressions", () => {
        const table = (column: Record<string, unknown>) => ({ name: "T", columns: [{ name: "C", ...column } as { name: string; type: string }] });
        expect(createTableStatement("DB", "S", table({ type: "NUMBER(38,0)", defaultConstant: "0" }))).to.include("C NUMBER(38,0) DEFAULT 0\n");
        expect(createTableStatement("DB", "S", table({ type: "BOOLEAN", defaultConstant: "FALSE" }))).to.include("C BOOLEAN DEFAULT FALSE\n");
        expect(createTableStatement("DB", "S", table({ type: "VARCHAR(16777216)", defaultConstant: "x" }))).to.include("DEFAULT 'x'\n");
        expect(() => createTableStatement("DB", "S", table({ type: "VARCHAR(16777216)", defaultConstant: "'x'" }))).to.throw(/unquoted/);
        expect(() => createTableStatement("DB", "S", table({ type: "VARCHAR(16777216)", defaultConstant: "" }))).to.throw(/T\.C/);
        expect(() => createTableStatement("DB", "S", table({ type: "BOOLEAN", defaultConstant: "yes" }))).to.throw(/T\.C/);
        expect(() => createTableStatement("DB", "S", table({ type: "BOOLEAN", defaultExpression: "TRUE" }))).to.throw(/defaultConstant/);
        expect(() => createTableStatement("DB", "S", table({ type: "NUMBER(38,0)", defaultConstant: "0", defaultExpression: "SYSDATE()" })))
            .to.throw(/not both/);
    });
});

function alertingProviderStatements(): { files: string[]; text: string }[] {
    const roles = { ownerRole: DEFAULTS.ownerRole, adminRole: DEFAULTS.adminRole, comment: DEFAULTS.comment };
    const statements = [
        ...webhookIntegrationStatements(webhookIntegrationInputs({
            ...roles, database: DEFAULTS.database, schema: DEFAULTS.schema, integrationName: "HOOK", secretName: "HOOK_SECRET",
            kind: "slack", url: "https://hooks.slack.com/services/SNOWFLAKE_WEBHOOK_SECRET",
        })),
        ...emailIntegrationStatements(emailIntegrationInputs({ ...roles, integrationName: "MAIL", recipients: ["oncall@acme.com"] })),
    ];
    return statements.map((statement) => ({ files: [statement.file], text: statement.text }));
}

describe("SQL files", () => {
    const catalog = buildSqlCatalog(DEFAULTS);
    const rendered = [
        ...Object.values(catalog.views),
        ...Object.values(catalog.dynamicTables),
        ...Object.values(catalog.procedureStatements),
        ...Object.values(catalog.tasks),
        ...Object.values(catalog.cost),
        // Alerting: the statements EVALUATE_ALERTS runs, its task and the integrations' provider statements.
        ...Object.values(buildAlertSql(DEFAULTS).statements), buildAlertSql(DEFAULTS).task,
        ...alertingProviderStatements(),
    ];

    it("are all deployed: every file in sql/ is used by the catalog", () => {
        const provider = [...aiObservabilityAccessStatements(aiObservabilityAccessInputs(DEFAULTS)), ...dashboardAppStatements(),
            ...grantAndProcedureStatements()];
        // A member's share and the central account's unified views (lib/orgCatalog.ts).
        const org = [...Object.values(buildMemberShareSql({ ...DEFAULTS, orgShareRecentHistory: true }, "ACME.MEMBER")),
            identityKeySql(undefined),
            ...Object.values(buildCentralSql(DEFAULTS, "ACME.CENTRAL", [{ name: "EU", database: "WALLMONITOR_ORG_EU" }]).views)];
        // A provider statement names its template; the partials that template includes are used too.
        const withIncludes = (file: string) => {
            const files: string[] = [];
            expandIncludes(file, SQL_ROOT, [], files);
            return files;
        };
        const used = new Set([...rendered.flatMap((sql) => sql.files), ...provider.flatMap((statement) => withIncludes(statement.file)),
            ...org.flatMap((sql) => sql.files), ...doctorSqlFiles()]);
        expect(listSqlFiles().filter((file) => !used.has(file))).to.deep.equal([]);
    });

    it("leave no placeholder unfilled", () => {
        for (const sql of rendered) {
            expect(sql.text, sql.files[0]).not.to.match(/\{\{|\}\}/);
        }
    });

    it("never read the reference's non-existent record:timestamp-style paths", () => {
        const invented = /\brecord\s*:\s*(timestamp|span_name|thread_id|attributes|span_id|trace_id|agent_id|user_id|model)\b/i;
        for (const file of listSqlFiles()) {
            const text = fs.readFileSync(path.join(SQL_ROOT, file), "utf8");
            expect(invented.test(text), `${file} reads a path that does not exist in the event table`).to.equal(false);
        }
    });

    it("never categorise spans by the reference's LIKE '%LLM%' guesses", () => {
        for (const file of listSqlFiles()) {
            expect(fs.readFileSync(path.join(SQL_ROOT, file), "utf8"), file).not.to.match(/LIKE\s+'%(LLM|TOOL|RETRIEV)/i);
        }
    });

    it("keep conversation text out of the history unless the stack allows it", () => {
        const off = buildSqlCatalog(DEFAULTS).procedureStatements.insert_agent_events.text;
        const on = buildSqlCatalog({ ...DEFAULTS, storeConversationText: true }).procedureStatements.insert_agent_events.text;
        expect(off).to.include("IFF(FALSE AND NOT s.SOURCE_TEXT_REDACTED, s.RECORD_ATTRIBUTES:\"snow.ai.observability.agent.response\"");
        expect(on).to.include("IFF(TRUE AND NOT s.SOURCE_TEXT_REDACTED, s.RECORD_ATTRIBUTES:\"snow.ai.observability.agent.response\"");
    });
});
