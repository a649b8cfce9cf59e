import { IDENTIFIER_PATTERN, QUALIFIED_NAME_PATTERN } from "../sql/identifier";
import { ConfigError, DefaultingSource, Reader } from "./reader";

/**
 * Cost and chargeback settings (the `cost*` keys): the credit price and currency, the per-model
 * credit rates used to estimate what the usage view has not reported yet, the team mappings,
 * whether Snowflake tags name teams, which event attribute joins a request to the REQUEST_ID
 * of SNOWFLAKE.ACCOUNT_USAGE.CORTEX_AGENT_USAGE_HISTORY and of the CoWork usage view, and which
 * CoWork usage view the account has.
 *
 * Structured values are JSON strings, validated here; every error is a ConfigError naming the
 * key and the fix. Defaults come from Pulumi.yaml, as for every other key (lib/config/defaults.ts).
 */

/** Credits per million tokens of each token class. */
export interface ModelRate {
    readonly input: number;
    readonly output: number;
    readonly cacheRead: number;
    readonly cacheWrite: number;
}
export const TOKEN_CLASSES = ["input", "output", "cacheRead", "cacheWrite"] as const;
export type TokenClass = (typeof TOKEN_CLASSES)[number];

/**
 * Wallmonitor's default rates (credits per million tokens). They are deliberately on the high
 * side and are not copied from Snowflake's Service Consumption Table: check them against the
 * table in force for your contract and region, and override them with wallmonitor:costModelRates.
 * Cache reads at a tenth of input, cache writes at 1.25 times input (the usual discount and
 * surcharge of prompt caching).
 */
export const DEFAULT_MODEL_RATES: Readonly<Record<string, ModelRate>> = {
    "claude-3-5-sonnet": { input: 1.65, output: 8.25, cacheRead: 0.165, cacheWrite: 2.0625 },
    "claude-3-7-sonnet": { input: 1.65, output: 8.25, cacheRead: 0.165, cacheWrite: 2.0625 },
    "claude-4-sonnet": { input: 1.65, output: 8.25, cacheRead: 0.165, cacheWrite: 2.0625 },
    "claude-sonnet-4-5": { input: 1.65, output: 8.25, cacheRead: 0.165, cacheWrite: 2.0625 },
    "claude-4-opus": { input: 8.25, output: 41.25, cacheRead: 0.825, cacheWrite: 10.3125 },
    "openai-gpt-4.1": { input: 1.1, output: 4.4, cacheRead: 0.275, cacheWrite: 1.1 },
    "openai-gpt-5": { input: 0.69, output: 5.5, cacheRead: 0.069, cacheWrite: 0.69 },
    "llama3.3-70b": { input: 1.21, output: 1.21, cacheRead: 1.21, cacheWrite: 1.21 },
    "llama3.1-405b": { input: 3, output: 3, cacheRead: 3, cacheWrite: 3 },
    "mistral-large2": { input: 1.95, output: 1.95, cacheRead: 1.95, cacheWrite: 1.95 },
};

/** Which event attribute holds the value of the usage view's REQUEST_ID (docs: unverified). */
export const COST_USAGE_JOIN_KEYS = ["record_id", "request_id"] as const;
export type CostUsageJoinKey = (typeof COST_USAGE_JOIN_KEYS)[number];
/** The AGENT_EVENTS_HISTORY column each join key is read from (sql/ingestion/parsed_events.sql). */
export const JOIN_KEY_COLUMNS: Readonly<Record<CostUsageJoinKey, string>> = {
    record_id: "RECORD_ID",
    request_id: "REQUEST_ID",
};

/**
 * The account usage view that holds Snowflake CoWork's agent requests, which
 * CORTEX_AGENT_USAGE_HISTORY excludes
 * (https://docs.snowflake.com/en/sql-reference/account-usage/cortex_agent_usage_history).
 * SNOWFLAKE_COWORK_USAGE_HISTORY is its current name; SNOWFLAKE_INTELLIGENCE_USAGE_HISTORY its
 * name before Snowflake Intelligence became CoWork
 * (https://docs.snowflake.com/en/sql-reference/account-usage/snowflake_intelligence_usage_history_view),
 * which accounts that had it keep next to the new one, with the same rows: the cost views read
 * exactly one of them, so CoWork is never counted twice. NONE reads neither (an account without
 * CoWork, or one whose owner role cannot read it): CoWork requests then stay estimated.
 * A view that the account lacks fails `pulumi up` at COST_USAGE with Snowflake's "does not
 * exist or not authorized", naming the view; the fix is this key.
 */
export const COST_COWORK_USAGE_VIEWS = [
    "SNOWFLAKE_COWORK_USAGE_HISTORY", "SNOWFLAKE_INTELLIGENCE_USAGE_HISTORY", "NONE",
] as const;
export type CostCoworkUsageView = (typeof COST_COWORK_USAGE_VIEWS)[number];

/** The team of every cost row that no mapping or tag assigns. */
export const UNASSIGNED_TEAM = "UNASSIGNED";

export interface CostConfig {
    /**
     * Money per credit, in costCurrency, kept as the validated decimal text so it renders into SQL
     * exactly as written (Pulumi.yaml declares it a string).
     */
    readonly costCreditPrice: string;
    /** ISO 4217 code shown next to every amount. */
    readonly costCurrency: string;
    /** Rates that replace or add to DEFAULT_MODEL_RATES, by model; undefined when not configured. */
    readonly costModelRates: Readonly<Record<string, ModelRate>> | undefined;
    /** Team -> user names (upper case); undefined when not configured. */
    readonly costTeamsByUser: Readonly<Record<string, readonly string[]>> | undefined;
    /** Team -> agents as DATABASE.SCHEMA.AGENT (upper case); undefined when not configured. */
    readonly costTeamsByAgent: Readonly<Record<string, readonly string[]>> | undefined;
    /** Event attribute matched to the usage view's REQUEST_ID. */
    readonly costUsageJoinKey: CostUsageJoinKey;
    /** Where CoWork requests' actual cost is read (COST_COWORK_USAGE_VIEWS). */
    readonly costCoworkUsageView: CostCoworkUsageView;
    /** Read teams from the usage view's USER_TAGS / AGENT_TAGS. */
    readonly costUseTags: boolean;
    /** Name of the tag whose value is a team (matched on tag_name, any case). */
    readonly costTeamTag: string;
}

const MODEL_NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/;
const TEAM_NAME = /^[A-Za-z0-9_][A-Za-z0-9_ .&/-]{0,99}$/;
const USER_NAME = /^[A-Za-z0-9_$@.+-]{1,255}$/;
const CURRENCY = /^[A-Z]{3}$/;
/** Highest rate accepted: far above any model's, so a misplaced decimal point is caught. */
const MAX_RATE = 1000;

type CostReader = Reader<keyof CostConfig>;

function json(read: CostReader, key: keyof CostConfig, example: string): unknown {
    const value = read.text(key);
    if (value === undefined) {
        return undefined;
    }
    try {
        return JSON.parse(value);
    } catch {
        throw new ConfigError(key, `is not valid JSON. Give an object such as ${example}.`);
    }
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function creditPrice(read: CostReader): string {
    const value = read.required("costCreditPrice");
    const parsed = Number(value);
    if (!/^\d+(\.\d{1,6})?$/.test(value.trim()) || !Number.isFinite(parsed) || parsed <= 0 || parsed > 1000) {
        throw new ConfigError("costCreditPrice", `"${value}" is not a price per credit: give a number above 0 and at ` +
            "most 1000 with up to 6 decimals (for example 3.00), in wallmonitor:costCurrency.");
    }
    return value.trim();
}

function rate(model: string, tokenClass: TokenClass, value: unknown): number {
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > MAX_RATE) {
        throw new ConfigError("costModelRates", `${model}.${tokenClass} is ${JSON.stringify(value)}; a rate is ` +
            `credits per million tokens, a number from 0 to ${MAX_RATE}.`);
    }
    return value;
}

function modelRates(read: CostReader): Record<string, ModelRate> | undefined {
    const example = '{"claude-4-sonnet": {"input": 1.5, "output": 7.5, "cacheRead": 0.15, "cacheWrite": 1.9}}';
    const parsed = json(read, "costModelRates", example);
    if (parsed === undefined) {
        return undefined;
    }
    if (!isObject(parsed)) {
        throw new ConfigError("costModelRates", `must be a JSON object of model -> rates, such as ${example}.`);
    }
    const known = Object.keys(DEFAULT_MODEL_RATES);
    return Object.fromEntries(Object.entries(parsed).map(([model, rates]) => {
        if (!MODEL_NAME.test(model)) {
            throw new ConfigError("costModelRates", `"${model}" is not a Cortex model name: use the lower-case name ` +
                "the agent's planning spans report (letters, digits, . _ -), for example claude-4-sonnet.");
        }
        if (!isObject(rates)) {
            throw new ConfigError("costModelRates", `${model} must map to an object of rates such as ` +
                '{"input": 1.5, "output": 7.5, "cacheRead": 0.15, "cacheWrite": 1.9}.');
        }
        const unexpected = Object.keys(rates).filter((key) => !(TOKEN_CLASSES as readonly string[]).includes(key));
        if (unexpected.length > 0) {
            throw new ConfigError("costModelRates", `${model} has ${unexpected.join(", ")}; the token classes are ` +
                `${TOKEN_CLASSES.join(", ")}.`);
        }
        const defaults = DEFAULT_MODEL_RATES[model];
        const missing = TOKEN_CLASSES.filter((tokenClass) => rates[tokenClass] === undefined);
        if (defaults === undefined && missing.length > 0) {
            throw new ConfigError("costModelRates", `unknown model ${model} (Wallmonitor has default rates for ` +
                `${known.join(", ")}): check its spelling, or give all four rates (${TOKEN_CLASSES.join(", ")}); ` +
                `${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} missing.`);
        }
        const merged = Object.fromEntries(TOKEN_CLASSES.map((tokenClass) =>
            [tokenClass, rate(model, tokenClass, rates[tokenClass] ?? defaults![tokenClass])])) as unknown as ModelRate;
        return [model, merged];
    }));
}

/** Team -> members, each member in one team only; `member` checks and normalises a name. */
function teams(read: CostReader, key: "costTeamsByUser" | "costTeamsByAgent", what: string, example: string,
               member: (name: string) => string | undefined): Record<string, string[]> | undefined {
    const parsed = json(read, key, example);
    if (parsed === undefined) {
        return undefined;
    }
    if (!isObject(parsed)) {
        throw new ConfigError(key, `must be a JSON object of team -> list of ${what}s, such as ${example}.`);
    }
    const teamOf = new Map<string, string>();
    return Object.fromEntries(Object.entries(parsed).map(([team, members]) => {
        if (!TEAM_NAME.test(team)) {
            throw new ConfigError(key, `"${team}" is not a team name: use up to 100 letters, digits, spaces and _ . & / - ` +
                "(no quotes).");
        }
        if (team.toUpperCase() === UNASSIGNED_TEAM) {
            throw new ConfigError(key, `${UNASSIGNED_TEAM} is the bucket of cost that no mapping assigns; it cannot be ` +
                "mapped. Name the team differently.");
        }
        if (!Array.isArray(members) || members.length === 0) {
            throw new ConfigError(key, `team ${team} names no ${what}: give a non-empty list, such as ${example}, ` +
                "or remove the team.");
        }
        return [team, members.map((value) => {
            const name = typeof value === "string" ? member(value) : undefined;
            if (name === undefined) {
                throw new ConfigError(key, `team ${team}: ${JSON.stringify(value)} is not a ${what}.`);
            }
            const previous = teamOf.get(name);
            if (previous !== undefined) {
                throw new ConfigError(key, `${name} is in both ${previous} and ${team}; a ${what} belongs to one team, ` +
                    "so its cost is counted once.");
            }
            teamOf.set(name, team);
            return name;
        })];
    }));
}

/** The cost settings, validated; `source` answers unset keys with Pulumi.yaml's defaults (withSchemaDefaults). */
export function parseCostConfig(source: DefaultingSource): CostConfig {
    const read: CostReader = new Reader(source);
    const currency = read.required("costCurrency").toUpperCase();
    if (!CURRENCY.test(currency)) {
        throw new ConfigError("costCurrency", `"${read.required("costCurrency")}" is not a currency code: use three letters ` +
            "(ISO 4217), for example USD or EUR.");
    }
    const joinKey = read.required("costUsageJoinKey");
    const usageJoinKey = COST_USAGE_JOIN_KEYS.find((candidate) => candidate === joinKey.toLowerCase());
    if (usageJoinKey === undefined) {
        throw new ConfigError("costUsageJoinKey", `"${joinKey}" is not one of the accepted values: ` +
            `${COST_USAGE_JOIN_KEYS.join(", ")} (the event attribute ai.observability.record_id or ` +
            "snow.ai.observability.agent.request_id). The Cost reconciliation view shows the match rate of both.");
    }
    const coworkView = read.required("costCoworkUsageView");
    const coworkUsageView = COST_COWORK_USAGE_VIEWS.find((candidate) => candidate === coworkView.trim().toUpperCase());
    if (coworkUsageView === undefined) {
        throw new ConfigError("costCoworkUsageView", `"${coworkView}" is not one of the accepted values: ` +
            `${COST_COWORK_USAGE_VIEWS.join(", ")}. Use the CoWork usage view your account has in ` +
            "SNOWFLAKE.ACCOUNT_USAGE (SHOW VIEWS LIKE 'SNOWFLAKE_%_USAGE_HISTORY' IN SCHEMA SNOWFLAKE.ACCOUNT_USAGE), " +
            "or NONE if it has neither.");
    }
    const teamTag = read.required("costTeamTag").toUpperCase();
    if (!IDENTIFIER_PATTERN.test(teamTag)) {
        throw new ConfigError("costTeamTag", `"${read.required("costTeamTag")}" is not a tag name: give the tag's own ` +
            "name without database and schema (letters, digits, _ and $), for example COST_CENTER.");
    }
    return {
        costCreditPrice: creditPrice(read),
        costCurrency: currency,
        costModelRates: modelRates(read),
        costTeamsByUser: teams(read, "costTeamsByUser", "user name", '{"FINANCE": ["ALICE", "BOB"]}',
            (name) => USER_NAME.test(name) ? name.toUpperCase() : undefined),
        costTeamsByAgent: teams(read, "costTeamsByAgent", "agent (DATABASE.SCHEMA.AGENT)",
            '{"SALES": ["SALES_DB.AGENTS.SALES_ASSISTANT"]}',
            (name) => QUALIFIED_NAME_PATTERN.test(name.toUpperCase()) ? name.toUpperCase() : undefined),
        costUsageJoinKey: usageJoinKey,
        costCoworkUsageView: coworkUsageView,
        costUseTags: read.boolean("costUseTags"),
        costTeamTag: teamTag,
    };
}

/** The rate table in force: the defaults, with configured models replacing or adding to them, sorted by model. */
export function effectiveModelRates(config: CostConfig): [string, ModelRate, "DEFAULT" | "CONFIG"][] {
    const configured = config.costModelRates ?? {};
    const models = [...new Set([...Object.keys(DEFAULT_MODEL_RATES), ...Object.keys(configured)])].sort();
    return models.map((model) => configured[model] !== undefined
        ? [model, configured[model], "CONFIG"]
        : [model, DEFAULT_MODEL_RATES[model], "DEFAULT"]);
}

/** (KIND, NAME, TEAM) rows of both mappings: KIND is USER or AGENT. */
export function teamMappingRows(config: CostConfig): [string, string, string][] {
    const rows = (kind: string, mapping: Readonly<Record<string, readonly string[]>> | undefined) =>
        Object.entries(mapping ?? {}).flatMap(([team, members]) => members.map((name): [string, string, string] => [kind, name, team]));
    return [...rows("USER", config.costTeamsByUser), ...rows("AGENT", config.costTeamsByAgent)];
}
