import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { buildSqlCatalog, RAW_EVENT_VIEWS, VIEW_NAMES } from "../lib/sql/catalog";
import { parseConfig } from "../lib/config/stack";
import { PRIVATE_HISTORY_COLUMNS, SHARED_ROLLUP_VIEWS, USER_IDENTITY_COLUMNS } from "../lib/sql/orgCatalog";
import { renderModel } from "../lib/sql/modelSql";
import { dashboardViewNames, defaultRegistry, loadRegistry, Model, Registry, sharedColumns } from "../lib/sql/registry";
import { TABLES } from "../lib/sql/tables";
import { buildOffline, OfflineBuild, PROJECT_ROOT, readStackConfig, RecordedResource } from "../plan/offline";
import { REGISTRY_VIEWS_FILE, registryViewsModule } from "../scripts/render-registry";

/**
 * The model registry (sql/<area>/models.yml, lib/sql/registry.ts): a view added through the
 * registry alone is deployed, granted or not by its classification, and offered to the
 * dashboard; broken declarations fail on load naming the model, the column and the fix.
 */

const inputs = (resource: RecordedResource) => resource.inputs as Record<string, any>;
const DEV = parseConfig({ get: (key) => readStackConfig("dev")[`wallmonitor:${key}`] });

/** A models root laid out like sql/: `<root>/<area>/models.yml` beside its templates. */
function modelsRoot(area: string, modelsYaml: string, templates: Record<string, string>): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "wm-registry-"));
    fs.mkdirSync(path.join(root, area));
    fs.writeFileSync(path.join(root, area, "models.yml"), modelsYaml);
    for (const [file, text] of Object.entries(templates)) {
        fs.writeFileSync(path.join(root, area, file), text);
    }
    return root;
}

const THROWAWAY = `models:
  - name: WM_THROWAWAY_DAILY_TURNS
    kind: view
    sql: throwaway_daily_turns.sql
    readers: [owner, viewer]
    dashboard: true
    columns:
      - DAY: none
      - AGENT_NAME: none
      - TURNS: none
  - name: WM_THROWAWAY_RAW
    kind: view
    sql: throwaway_raw.sql
    readers: [owner]
    columns:
      - EVENT_KEY: none
      - RAW_ATTRIBUTES: conversation_text
`;
const THROWAWAY_TEMPLATES = {
    "throwaway_daily_turns.sql": "SELECT DAY, AGENT_NAME, TURNS FROM {{ref AGENT_DAILY_ROLLUP}}\n",
    "throwaway_raw.sql": "SELECT EVENT_KEY, RAW_ATTRIBUTES FROM {{ref AGENT_EVENTS_RECENT}}\n",
};

describe("the model registry", () => {
    it("derives the lists that used to be kept by hand", () => {
        expect(RAW_EVENT_VIEWS).to.have.members(["AGENT_EVENTS_RECENT", "AGENT_EVENTS"]);
        expect(VIEW_NAMES).to.include.members(["AGENT_EVENTS_RECENT", "ALERT_HISTORY_VIEW", "ALERT_STATUS", "EVALUATION_RUNS"]);
        expect(TABLES.filter((table) => table.holdsRawEvents).map((table) => table.name)).to.deep.equal(["AGENT_EVENTS_HISTORY"]);
        expect(PRIVATE_HISTORY_COLUMNS).to.have.members(["QUESTION_TEXT", "ANSWER_TEXT", "RAW_ATTRIBUTES", "RETRIEVAL_QUERY", "FEEDBACK_MESSAGE"]);
        expect(USER_IDENTITY_COLUMNS).to.have.members(["USER_ID", "USER_NAME", "USERS", "USERS_HLL", "ERROR_MESSAGE"]);
        expect(SHARED_ROLLUP_VIEWS.map((view) => view.name)).to.deep.equal([
            "AGENT_ROLLUP_DAILY", "AGENT_ROLLUP_WEEKLY", "AGENT_ROLLUP_MONTHLY", "AGENT_ROLLUP_YEARLY", "AGENT_USAGE_BY_USER", "AGENT_USAGE_BY_AGENT",
        ]);
    });

    it("records what each view reads from its {{ref}}s, and creates it after them", () => {
        const catalog = buildSqlCatalog(DEV);
        expect(catalog.views.AGENT_EVENTS.refs).to.deep.equal(["AGENT_EVENTS_HISTORY"]);
        expect(catalog.views.AGENT_EVENTS_RECENT.refs).to.deep.equal(["AGENT_EVENTS_HISTORY"]);
        expect(catalog.views.THREAD_ACTIVITY_RECENT.refs).to.deep.equal(["DT_THREAD_ACTIVITY_RECENT"]);
        expect(catalog.dynamicTables.DT_AGENT_METRICS_RECENT.refs).to.deep.equal(["AGENT_EVENTS_RECENT"]);
        expect(catalog.cost.COST_LEDGER.refs).to.have.members(["COST_REQUESTS", "COST_USAGE", "COST_TEAM_MAPPINGS"]);
        // Statements name their tables through refs too (sql/ingestion/models.yml, sql/rollups/models.yml).
        expect(catalog.procedureStatements.record_refresh_success.refs).to.have.members(["AGENT_EVENTS_HISTORY", "AGENT_INGEST_STATE"]);
        expect(catalog.procedureStatements.rollup_insert_latency.refs).to.have.members(["AGENT_DAILY_LATENCY", "AGENT_EVENTS_HISTORY"]);
        const order = Object.keys(catalog.cost);
        for (const [name, sql] of Object.entries(catalog.cost)) {
            for (const read of sql.refs.filter((ref) => order.includes(ref))) {
                expect(order.indexOf(read), `${name} reads ${read}`).to.be.lessThan(order.indexOf(name));
            }
        }
    });

    it("generates the dashboard's allowed views into the committed streamlit/dashboard/registry_views.py", () => {
        // If this fails: npm run render-registry, and commit the file.
        expect(fs.readFileSync(REGISTRY_VIEWS_FILE, "utf8")).to.equal(registryViewsModule(defaultRegistry()));
    });

    describe("refuses a declaration that breaks a rule, naming the model, the column and the fix", () => {
        const refused = (yaml: string, templates: Record<string, string>) =>
            expect(() => loadRegistry({ extraRoots: [modelsRoot("dashboards", yaml, templates)] })).to.throw();

        it("conversation text read by the viewer", () => {
            const root = modelsRoot("dashboards", THROWAWAY.replace("readers: [owner]\n    columns:\n      - EVENT_KEY",
                "readers: [owner, viewer]\n    columns:\n      - EVENT_KEY"), THROWAWAY_TEMPLATES);
            expect(() => loadRegistry({ extraRoots: [root] })).to.throw(
                /WM_THROWAWAY_RAW\.RAW_ATTRIBUTES: conversation_text is read by the owner only: drop viewer/);
        });

        it("user-typed text or unmarked error text in a shared view", () => {
            const shared = (classification: string) => `models:
  - name: WM_THROWAWAY_SHARED
    kind: view
    sql: shared.sql
    readers: [owner, share]
    columns:
      - EVENT_KEY: none
      - ERROR_MESSAGE: ${classification}
`;
            const templates = { "shared.sql": "SELECT EVENT_KEY, ERROR_MESSAGE FROM {{ref AGENT_EVENTS_RECENT}}\n" };
            expect(() => loadRegistry({ extraRoots: [modelsRoot("dashboards", shared("error_text"), templates)] })).to.throw(
                /WM_THROWAWAY_SHARED\.ERROR_MESSAGE: error_text leaves the account only when users are named/);
            // user_free_text is never in what the share carries.
            const registry = loadRegistry({ extraRoots: [modelsRoot("dashboards", shared("user_free_text"), templates)] });
            expect(sharedColumns(registry.model("WM_THROWAWAY_SHARED")).map((column) => column.name)).to.deep.equal(["EVENT_KEY"]);
        });

        it("values that differ from the template's placeholders, or a ref to no model", () => {
            refused(`models:
  - name: WM_THROWAWAY_VALUES
    kind: view
    sql: values.sql
    readers: [owner]
    values: [HISTORY_DAYS]
    columns:
      - A: none
`, { "values.sql": "SELECT {{REALTIME_WINDOW_HOURS}} AS A\n" });
            expect(() => loadRegistry({ extraRoots: [modelsRoot("dashboards", `models:
  - name: WM_THROWAWAY_REF
    kind: view
    sql: ref.sql
    readers: [owner]
    columns:
      - A: none
`, { "ref.sql": "SELECT 1 AS A FROM {{ref NO_SUCH_MODEL}}\n" })] })).to.throw(/reads NO_SUCH_MODEL, which no models.yml declares/);
        });

        it("a statement given readers or columns, or a constant named like a stack value", () => {
            refused(`models:
  - name: throwaway_statement
    kind: statement
    sql: statement.sql
    readers: [owner, viewer]
`, { "statement.sql": "SELECT 1\n" });
            const shadowing = modelsRoot("dashboards", `models:
  - name: WM_THROWAWAY_SHADOW
    kind: view
    sql: shadow.sql
    readers: [owner]
    constants: { HISTORY_DAYS: 7 }
    columns:
      - A: none
`, { "shadow.sql": "SELECT {{HISTORY_DAYS}} AS A\n" });
            expect(() => buildSqlCatalog(DEV, { registry: loadRegistry({ extraRoots: [shadowing] }) }))
                .to.throw(/constant HISTORY_DAYS is a stack value/);
        });

        it("a model declared twice", () => {
            refused(THROWAWAY.replace("WM_THROWAWAY_RAW", "AGENT_EVENTS"), THROWAWAY_TEMPLATES);
        });
    });

    describe("a throwaway view added through the registry alone", () => {
        let registry: Registry;
        let build: OfflineBuild;

        before(async () => {
            const root = modelsRoot("dashboards", THROWAWAY, THROWAWAY_TEMPLATES);
            registry = loadRegistry({ extraRoots: [root] });
            // A program like index.ts that deploys the dev stack with the extra models root.
            const program = fs.mkdtempSync(path.join(os.tmpdir(), "wm-program-"));
            fs.copyFileSync(path.join(PROJECT_ROOT, "Pulumi.dev.yaml"), path.join(program, "Pulumi.dev.yaml"));
            const project = (file: string) => JSON.stringify(path.join(PROJECT_ROOT, file));
            fs.writeFileSync(path.join(program, "index.ts"), `
import { Wallmonitor } from ${project("components/wallmonitor")};
import { loadConfig, loadConnection } from ${project("lib/config/stack")};
import { loadRegistry } from ${project("lib/sql/registry")};
new Wallmonitor("wallmonitor-dev", {
    config: loadConfig(),
    connection: loadConnection(),
    registry: loadRegistry({ extraRoots: [${JSON.stringify(root)}] }),
});
`);
            build = await buildOffline("dev", {}, [], program);
        });

        const view = (name: string) => build.resources.find((resource) =>
            resource.type === "snowflake:index/view:View" && inputs(resource).name === name);
        const viewerGrant = (name: string) => build.resources.find((resource) =>
            resource.type === "snowflake:index/grantPrivilegesToAccountRole:GrantPrivilegesToAccountRole"
            && inputs(resource).accountRoleName === DEV.viewerRole
            && inputs(resource).onSchemaObject?.objectName === `"${DEV.database}"."${DEV.schema}"."${name}"`);

        it("is deployed with its SQL, after what it reads", () => {
            const deployed = view("WM_THROWAWAY_DAILY_TURNS");
            expect(deployed).to.not.equal(undefined);
            expect(inputs(deployed!).statement).to.equal(
                `SELECT DAY, AGENT_NAME, TURNS FROM ${DEV.database}.${DEV.schema}.AGENT_DAILY_ROLLUP`);
            const raw = view("WM_THROWAWAY_RAW");
            expect(inputs(raw!).statement).to.equal(`SELECT EVENT_KEY, RAW_ATTRIBUTES FROM ${DEV.database}.${DEV.schema}.AGENT_EVENTS_RECENT`);
            const eventsRecent = view("AGENT_EVENTS_RECENT")!;
            expect((raw!.dependencies ?? []).some((urn) => urn.endsWith(`::${eventsRecent.name}`))).to.equal(true);
        });

        it("is granted to the viewer by its classification: a view without conversation text is, one with it is not", () => {
            expect(viewerGrant("WM_THROWAWAY_DAILY_TURNS")).to.not.equal(undefined);
            expect(viewerGrant("WM_THROWAWAY_RAW")).to.equal(undefined);
            expect(viewerGrant("THREAD_ACTIVITY")).to.not.equal(undefined);
        });

        it("is in the dashboard's allowed set when declared for it, and the raw one is not", () => {
            expect(dashboardViewNames(registry)).to.include("WM_THROWAWAY_DAILY_TURNS").and.not.include("WM_THROWAWAY_RAW");
            expect(registryViewsModule(registry)).to.include(`"WM_THROWAWAY_DAILY_TURNS"`);
        });
    });
});

/**
 * What a dynamic table declared INCREMENTAL may not contain, checked on its rendered query and on
 * every view it reads (Snowflake incrementalizes the whole definition): with REFRESH_MODE =
 * INCREMENTAL, CREATE fails on a construct that cannot refresh incrementally
 * (https://docs.snowflake.com/en/user-guide/dynamic-tables/refresh-modes), which no test here can
 * run. The constructs, from https://docs.snowflake.com/en/user-guide/dynamic-tables/supported-queries
 * and the release note that made the approximate aggregates incremental
 * (https://docs.snowflake.com/release-notes/2026/other/2026-09-23-nondeterministic-agg-incremental-dynamic-tables):
 * the exact order statistics and distinct aggregates (PERCENTILE_CONT and COUNT(DISTINCT) are why
 * DT_AGENT_METRICS_RECENT is FULL), ANY_VALUE ("remains unsupported"), and APPROX_COUNT_DISTINCT,
 * APPROX_PERCENTILE and APPROX_TOP_K outside the SELECT clause ("supported only in the SELECT clause").
 */
const NOT_INCREMENTAL: readonly { construct: string; pattern: RegExp }[] = [
    { construct: "PERCENTILE_CONT", pattern: /\bPERCENTILE_CONT\s*\(/i },
    { construct: "PERCENTILE_DISC", pattern: /\bPERCENTILE_DISC\s*\(/i },
    { construct: "MEDIAN", pattern: /\bMEDIAN\s*\(/i },
    { construct: "MODE", pattern: /\bMODE\s*\(/i },
    { construct: "COUNT(DISTINCT", pattern: /\bCOUNT\s*\(\s*DISTINCT\b/i },
    { construct: "LISTAGG(DISTINCT", pattern: /\bLISTAGG\s*\(\s*DISTINCT\b/i },
    { construct: "ANY_VALUE", pattern: /\bANY_VALUE\s*\(/i },
];
const APPROXIMATE_AGGREGATE = /\bAPPROX_(?:COUNT_DISTINCT|PERCENTILE|TOP_K)\s*\(/gi;
const CLAUSE = /\b(SELECT|FROM|WHERE|GROUP\s+BY|HAVING|QUALIFY|ORDER\s+BY)\b/gi;

/** A statement without its comments and quoted text: what Snowflake parses as code. */
function codeOf(sql: string): string {
    return sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\/|'(?:[^']|'')*'|"(?:[^"]|"")*"/g, " ");
}

/** The constructs of NOT_INCREMENTAL in an INCREMENTAL dynamic table's query or the views it reads, as "MODEL: construct". */
function notIncrementalConstructs(registry: Registry): string[] {
    const definitions = (model: Model, seen: Set<string>): Model[] => {
        if (seen.has(model.name) || model.template === undefined) {
            return [];
        }
        seen.add(model.name);
        const read = model.reads.map((name) => registry.model(name)).filter((candidate) => candidate.kind === "view");
        return [model, ...read.flatMap((view) => definitions(view, seen))];
    };
    return registry.models.filter((model) => model.kind === "dynamic_table" && model.refreshMode === "INCREMENTAL")
        .flatMap((table) => definitions(table, new Set()).flatMap((model) => {
            const code = codeOf(renderModel(registry, model, DEV).text);
            const where = model.name === table.name ? table.name : `${table.name} (reading ${model.name})`;
            const unsupported = NOT_INCREMENTAL.filter(({ pattern }) => pattern.test(code)).map(({ construct }) => `${where}: ${construct}`);
            const outsideSelect = [...code.matchAll(APPROXIMATE_AGGREGATE)].flatMap((use) => {
                const clause = [...code.slice(0, use.index).matchAll(CLAUSE)].pop()?.[1].replace(/\s+/g, " ").toUpperCase();
                return clause === "SELECT" ? [] : [`${where}: ${use[0].replace(/\s*\($/, "")} in ${clause ?? "no"} clause`];
            });
            return [...unsupported, ...outsideSelect];
        }));
}

describe("dynamic tables declared INCREMENTAL", () => {
    it("use no construct that keeps a dynamic table from refreshing incrementally, in their query or the views they read", () => {
        const incremental = defaultRegistry().models.filter((model) => model.kind === "dynamic_table" && model.refreshMode === "INCREMENTAL")
            .map((model) => model.name);
        expect(incremental).to.include.members(["DT_HOURLY_THREAD_ACTIVITY_RECENT", "DT_THREAD_ACTIVITY_RECENT", "DT_AGENT_MONTHLY_LATENCY"]);
        expect(notIncrementalConstructs(defaultRegistry())).to.deep.equal([]);
    });

    it("refuse an exact percentile or distinct count, and an approximate aggregate outside the SELECT clause", () => {
        const root = modelsRoot("dashboards", `models:
  - name: WM_THROWAWAY_EXACT_DT
    kind: dynamic_table
    sql: throwaway_exact.sql
    readers: [owner, viewer]
    refreshMode: INCREMENTAL
    refreshModeReason: "a test's"
    columns:
      - EVENT_HOUR: none
      - P95: none
      - USERS: none
  - name: WM_THROWAWAY_HAVING_DT
    kind: dynamic_table
    sql: throwaway_having.sql
    readers: [owner, viewer]
    refreshMode: INCREMENTAL
    refreshModeReason: "a test's"
    columns:
      - EVENT_HOUR: none
      - USERS: none
`, {
            "throwaway_exact.sql": "-- PERCENTILE_DISC( in a comment is not code\nSELECT EVENT_HOUR, PERCENTILE_CONT(0.95) WITHIN GROUP (ORDER BY SPAN_DURATION_MS) AS P95,\n" +
                "    COUNT( DISTINCT USER_ID) AS USERS\nFROM {{ref AGENT_EVENTS_RECENT}}\nGROUP BY EVENT_HOUR\n",
            "throwaway_having.sql": "SELECT EVENT_HOUR, APPROX_COUNT_DISTINCT(USER_ID) AS USERS\nFROM {{ref AGENT_EVENTS_RECENT}}\n" +
                "GROUP BY EVENT_HOUR\nHAVING APPROX_PERCENTILE(SPAN_DURATION_MS, 0.5) > 1000\n",
        });
        expect(notIncrementalConstructs(loadRegistry({ extraRoots: [root] }))).to.deep.equal([
            "WM_THROWAWAY_EXACT_DT: PERCENTILE_CONT",
            "WM_THROWAWAY_EXACT_DT: COUNT(DISTINCT",
            "WM_THROWAWAY_HAVING_DT: APPROX_PERCENTILE in HAVING clause",
        ]);
    });
});
