import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import * as pulumi from "@pulumi/pulumi";

import { ACCESS_URL_ENV } from "../../provider/connection";

/**
 * A protocol-level fake of the Snowflake REST API the `snowflake-sdk` driver talks to, on
 * 127.0.0.1 and a random port. It proves what the driver sends (logins, statement text) and
 * how our code handles what Snowflake answers (rows, SQL errors, transient HTTP failures); it
 * does not execute SQL. Replies follow the shapes the driver parses: HTTP 200 JSON
 * `{success, code, message, data}`, results as `rowtype` + `rowset` of strings in the JSON
 * result format, SQL errors as `success: false` with `code` and `data.sqlState`.
 *
 * Internal stages are simulated on disk: a PUT is answered with the upload command the driver
 * expects, with `stageInfo.locationType` LOCAL_FS and a directory under a temporary root, so
 * the real driver copies the file there itself; LIST and REMOVE read and delete those files.
 *
 * It refuses what Snowflake refuses, whatever a test scripts: a bind variable where Snowflake
 * takes none (https://docs.snowflake.com/en/sql-reference/bind-variables), and, from the agents
 * and grants it models, SHOW AGENTS lists only the agents the session's role holds OWNERSHIP,
 * USAGE, MODIFY or MONITOR on (all of them with MANAGE GRANTS;
 * https://docs.snowflake.com/en/sql-reference/sql/show-agents), and GET_AI_OBSERVABILITY_EVENTS
 * needs the SNOWFLAKE.CORTEX_USER database role and MONITOR or OWNERSHIP on the agent
 * (https://docs.snowflake.com/en/sql-reference/functions/get_ai_observability_events-snowflake-local).
 * A scripted error still wins (it stands for another failure); scripted rows never bypass a privilege.
 */

/** Error codes Snowflake returns, as the driver sees them. */
export const SNOWFLAKE_CODES = {
    incorrectPassword: "390100",
    invalidJwt: "390144",
    sessionGone: "390111",
    objectMissing: "002003",
    insufficientPrivileges: "003001",
} as const;

export interface FakeUser {
    readonly password?: string;
    /** PEM public key; the user logs in with a key-pair JWT signed by the matching private key. */
    readonly publicKey?: string;
}

export interface LoginRecord {
    readonly user: string;
    readonly account: string;
    readonly method: "password" | "keypair" | "other";
    /** Role and warehouse the driver asked for in the login request's query string. */
    readonly role?: string;
    readonly warehouse?: string;
    readonly succeeded: boolean;
}

export interface StatementRecord {
    /** The statement as sent, without its leading `--` comment lines. */
    readonly sql: string;
    readonly user: string;
    /** The session's role when the statement arrived: its login role, or the last USE ROLE. */
    readonly role?: string;
    readonly warehouse?: string;
    /** Whether the fake answered with an HTTP failure instead of a result. */
    readonly httpStatus?: number;
    /** Values bound to the statement's `?` placeholders, in order; absent when none were sent. */
    readonly binds?: readonly string[];
}

export interface SqlFailure {
    readonly code: string;
    readonly sqlState: string;
    readonly message: string;
}

/** What the fake answers to a statement matching a pattern. */
export type Reply =
    | { readonly rows: readonly (readonly (string | null)[])[]; readonly columns: readonly string[] }
    | { readonly error: SqlFailure }
    | { readonly httpStatus: number };

interface Rule {
    readonly pattern: RegExp;
    readonly reply: Reply;
    /** How many more statements this rule answers; undefined answers every one. */
    remaining?: number;
}

interface Session {
    readonly user: string;
    role?: string;
    warehouse?: string;
}

/** A Cortex Agent the fake account holds. */
export interface FakeAgent {
    readonly database: string;
    readonly schema: string;
    readonly name: string;
    /** The role that owns it. */
    readonly owner?: string;
}

/** What a privilege on agents is on: one agent (`DB.S.NAME`), or all (existing) or future agents in a schema or database. */
type AgentScope = { readonly agent: string } | { readonly scope: "ALL" | "FUTURE"; readonly in: "SCHEMA" | "DATABASE"; readonly name: string };

/** The privileges SHOW AGENTS looks for (https://docs.snowflake.com/en/sql-reference/sql/show-agents). */
const AGENT_VISIBILITY = ["OWNERSHIP", "USAGE", "MODIFY", "MONITOR"];
export const CORTEX_USER = "SNOWFLAKE.CORTEX_USER";

/**
 * Where Snowflake takes no bind variable (https://docs.snowflake.com/en/sql-reference/bind-variables):
 * CREATE/ALTER of an integration, a pipe or a replication group, and the values of CREDENTIALS,
 * ENCRYPTION, IMPORTS, PACKAGES and TAG anywhere.
 */
const NO_BINDS_STATEMENT = /^(CREATE|ALTER)\s+(OR\s+REPLACE\s+)?((API|NOTIFICATION|SECURITY|STORAGE|EXTERNAL\s+ACCESS|CATALOG)\s+)?(INTEGRATION|PIPE|REPLICATION\s+GROUP)\b/i;
const NO_BINDS_CLAUSE = /\b(CREDENTIALS|ENCRYPTION|IMPORTS|PACKAGES)\s*=\s*\([^)]*\?|\bTAG\s*\([^)]*\?/i;

/** The statement's `?` placeholders outside string literals, quoted identifiers and comments. */
function placeholders(sql: string): number {
    // Literals, quoted identifiers and comments in one pass, as Snowflake's lexer reads them: an
    // apostrophe inside a comment ("the agent's") opens no literal, and a `?` in a comment binds nothing.
    const code = sql.replace(/'(?:[^'\\]|\\.|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\/[^\n]*|\/\*[\s\S]*?\*\//g,
        (token) => (token.startsWith("'") || token.startsWith("\"") ? "''" : " "));
    return (code.match(/\?/g) ?? []).length;
}

const STATUS_ROWS: Reply = { columns: ["status"], rows: [["Statement executed successfully."]] };

/** `"002003"`-style failure helpers for scripting replies. */
export function objectMissing(what: string): { error: SqlFailure } {
    return {
        error: {
            code: SNOWFLAKE_CODES.objectMissing,
            sqlState: "02000",
            message: `SQL compilation error:\n${what} does not exist or not authorized.`,
        },
    };
}

export function insufficientPrivileges(operation: string): { error: SqlFailure } {
    return {
        error: {
            code: SNOWFLAKE_CODES.insufficientPrivileges,
            sqlState: "42501",
            message: `SQL access control error:\nInsufficient privileges to operate on ${operation}.`,
        },
    };
}

export class FakeSnowflake {
    readonly logins: LoginRecord[] = [];
    readonly statements: StatementRecord[] = [];
    /** Every request as `METHOD /path`, to prove which endpoints the driver used. */
    readonly requests: string[] = [];
    private readonly users = new Map<string, FakeUser>();
    private readonly sessions = new Map<string, Session>();
    private readonly results = new Map<string, unknown>();
    private rules: Rule[] = [];
    private loginFailures: number[] = [];
    private readonly agents: FakeAgent[] = [];
    /** role -> privilege grants on agents, as the fake's GRANT statements or a test made them. */
    private readonly agentGrants = new Map<string, { privilege: string; on: AgentScope; agents: Set<string> }[]>();
    /** role -> roles (account or database roles) granted to it. PUBLIC holds CORTEX_USER by default. */
    private readonly roleGrants = new Map<string, Set<string>>([["PUBLIC", new Set([CORTEX_USER])]]);
    private readonly accountGrants = new Map<string, Set<string>>();
    /** Where staged files live: `<root>/<DB.SCHEMA.STAGE>/<path>`. */
    readonly stageRoot = fs.mkdtempSync(path.join(os.tmpdir(), "fake-snowflake-stages-"));

    private constructor(private readonly server: http.Server) {}

    /** Starts a fake on 127.0.0.1 and a free port. */
    static async start(): Promise<FakeSnowflake> {
        let fake: FakeSnowflake | undefined;
        const server = http.createServer((request, response) => {
            fake!.handle(request, response).catch((error: unknown) => {
                response.writeHead(500, { "content-type": "text/plain" });
                response.end(String(error));
            });
        });
        fake = new FakeSnowflake(server);
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        return fake;
    }

    /** The driver's `accessUrl` for this fake. */
    get url(): string {
        return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    }

    async stop(): Promise<void> {
        fs.rmSync(this.stageRoot, { recursive: true, force: true });
        this.server.closeAllConnections();
        await new Promise<void>((resolve, reject) => this.server.close((error) => (error ? reject(error) : resolve())));
    }

    addUser(name: string, user: FakeUser): void {
        this.users.set(name.toUpperCase(), user);
    }

    /**
     * Answers statements matching `pattern` (tested against the statement without its comment
     * lines) with `reply`, `times` times (every time when omitted). Rules added later take
     * precedence, so a test can override a default. Unmatched statements succeed with
     * Snowflake's one-row status result.
     */
    on(pattern: RegExp, reply: Reply, times?: number): void {
        this.rules.unshift({ pattern, reply, remaining: times });
    }

    /**
     * Adds an agent to the account. Future grants in its schema or database reach it, as
     * Snowflake applies them at creation; an ALL grant made earlier does not.
     */
    addAgent(agent: FakeAgent): void {
        this.agents.push(agent);
        const name = agentName(agent);
        for (const grants of this.agentGrants.values()) {
            for (const grant of grants) {
                if ("scope" in grant.on && grant.on.scope === "FUTURE" && inScope(grant.on, agent)) {
                    grant.agents.add(name);
                }
            }
        }
        if (agent.owner !== undefined) {
            this.grantOnAgents(agent.owner, "OWNERSHIP", { agent: name });
        }
    }

    /** Grants a privilege on agents to a role, as `GRANT <privilege> ON {AGENT x | ALL/FUTURE AGENTS IN ...}` does. */
    grantOnAgents(role: string, privilege: string, on: AgentScope): void {
        const matched = new Set(this.agents.filter((agent) => ("agent" in on ? agentName(agent) === on.agent.toUpperCase()
            : on.scope === "ALL" && inScope(on, agent))).map(agentName));
        const grants = this.agentGrants.get(role.toUpperCase()) ?? [];
        grants.push({ privilege: privilege.toUpperCase(), on, agents: matched });
        this.agentGrants.set(role.toUpperCase(), grants);
    }

    /** Grants a role (an account role, or a database role such as SNOWFLAKE.CORTEX_USER) to a role. */
    grantRole(role: string, to: string): void {
        const held = this.roleGrants.get(to.toUpperCase()) ?? new Set<string>();
        held.add(role.toUpperCase());
        this.roleGrants.set(to.toUpperCase(), held);
    }

    revokeRole(role: string, from: string): void {
        this.roleGrants.get(from.toUpperCase())?.delete(role.toUpperCase());
    }

    /** Grants an account privilege (such as MANAGE GRANTS) to a role. */
    grantOnAccount(role: string, privilege: string): void {
        const held = this.accountGrants.get(role.toUpperCase()) ?? new Set<string>();
        held.add(privilege.toUpperCase());
        this.accountGrants.set(role.toUpperCase(), held);
    }

    /** The role and every role it inherits, PUBLIC included. */
    private rolesOf(role: string | undefined): Set<string> {
        const seen = new Set<string>();
        const pending = [(role ?? "PUBLIC").toUpperCase(), "PUBLIC"];
        while (pending.length > 0) {
            const next = pending.pop()!;
            if (!seen.has(next)) {
                seen.add(next);
                pending.push(...(this.roleGrants.get(next) ?? []));
            }
        }
        return seen;
    }

    /** Whether the session's role holds one of `privileges` on the agent. */
    private holdsOnAgent(role: string | undefined, agent: string, privileges: readonly string[]): boolean {
        return [...this.rolesOf(role)].some((held) => (this.agentGrants.get(held) ?? [])
            .some((grant) => privileges.includes(grant.privilege) && grant.agents.has(agent)));
    }

    private holdsOnAccount(role: string | undefined, privilege: string): boolean {
        return [...this.rolesOf(role)].some((held) => this.accountGrants.get(held)?.has(privilege) ?? false);
    }

    /** The next logins get these HTTP statuses instead of an answer, one each. */
    failLogins(...httpStatuses: number[]): void {
        this.loginFailures.push(...httpStatuses);
    }

    /** Forgets recorded traffic and scripted replies; users, agents, grants and staged files stay. */
    reset(): void {
        this.logins.length = 0;
        this.statements.length = 0;
        this.requests.length = 0;
        this.rules = [];
        this.loginFailures = [];
    }

    /** Deletes every staged file. */
    clearStages(): void {
        fs.rmSync(this.stageRoot, { recursive: true, force: true });
        fs.mkdirSync(this.stageRoot, { recursive: true });
    }

    /** The files on a stage (`DB.SCHEMA.STAGE`), as `path -> content`, paths relative to the stage. */
    stagedFiles(stage: string): Record<string, string> {
        const root = path.join(this.stageRoot, stage.toUpperCase());
        const files: Record<string, string> = {};
        const walk = (dir: string) => {
            for (const entry of fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : []) {
                const full = path.join(dir, entry.name);
                if (entry.isDirectory()) {
                    walk(full);
                } else {
                    files[path.relative(root, full).split(path.sep).join("/")] = fs.readFileSync(full, "utf8");
                }
            }
        };
        walk(root);
        return files;
    }

    /** The statement texts received, in order, for assertions. */
    get sql(): string[] {
        return this.statements.filter((statement) => statement.httpStatus === undefined).map((statement) => statement.sql);
    }

    private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
        const url = new URL(request.url ?? "/", this.url);
        this.requests.push(`${request.method} ${url.pathname}`);
        const body = await readJson(request);
        const reply = (payload: unknown, status = 200) => {
            response.writeHead(status, { "content-type": "application/json" });
            response.end(JSON.stringify(payload));
        };
        const route = `${request.method} ${url.pathname}`;
        if (route === "POST /session/v1/login-request") {
            const failure = this.loginFailures.shift();
            if (failure !== undefined) {
                reply({ message: "Service Unavailable" }, failure);
                return;
            }
            reply(this.login(url, body));
            return;
        }
        const token = /Snowflake Token="([^"]+)"/.exec(request.headers.authorization ?? "")?.[1];
        const session = token === undefined ? undefined : this.sessions.get(token);
        if (route === "POST /telemetry/send" || route === "POST /session/heartbeat") {
            reply({ success: true, code: null, message: null, data: null });
            return;
        }
        if (session === undefined || token === undefined) {
            reply({ success: false, code: SNOWFLAKE_CODES.sessionGone, message: "Session no longer exists.", data: null });
            return;
        }
        if (route === "POST /session" && url.searchParams.get("delete") === "true") {
            this.sessions.delete(token);
            reply({ success: true, code: null, message: null, data: null });
        } else if (route === "POST /session/token-request") {
            const renewed = crypto.randomUUID();
            this.sessions.set(renewed, session);
            reply({ success: true, code: null, message: null, data: { sessionToken: renewed, validityInSecondsST: 3600, masterToken: renewed, validityInSecondsMT: 14400 } });
        } else if (route === "POST /queries/v1/query-request") {
            const request = body as { sqlText?: unknown; bindings?: Record<string, { value?: unknown }> };
            const binds = request.bindings === undefined ? undefined
                : Object.keys(request.bindings).sort((a, b) => Number(a) - Number(b)).map((key) => String(request.bindings![key].value));
            const result = this.query(session, String(request.sqlText ?? ""), binds);
            if ("httpStatus" in result) {
                reply({ message: "Service Unavailable" }, result.httpStatus);
            } else {
                reply(result.payload);
            }
        } else if (request.method === "GET" && /^\/queries\/[^/]+\/result$/.test(url.pathname)) {
            const queryId = url.pathname.split("/")[2];
            reply(this.results.get(queryId) ?? { success: false, code: "000709", message: `Statement ${queryId} not found`, data: null });
        } else if (request.method === "GET" && url.pathname.startsWith("/monitoring/queries/")) {
            const queryId = url.pathname.split("/")[3];
            reply({ success: true, code: null, message: null, data: { queries: [{ id: queryId, status: "SUCCESS" }] } });
        } else {
            reply({ success: false, code: "000000", message: `fake Snowflake does not serve ${route}`, data: null }, 404);
        }
    }

    private login(url: URL, body: unknown): unknown {
        const data = ((body as { data?: Record<string, unknown> }).data ?? {});
        const user = String(data.LOGIN_NAME ?? "");
        const account = String(data.ACCOUNT_NAME ?? "");
        const known = this.users.get(user.toUpperCase());
        const method = typeof data.TOKEN === "string" && data.AUTHENTICATOR === "SNOWFLAKE_JWT" ? "keypair"
            : typeof data.PASSWORD === "string" ? "password" : "other";
        const role = url.searchParams.get("roleName") ?? undefined;
        const warehouse = url.searchParams.get("warehouse") ?? undefined;
        let failure: { code: string; message: string } | undefined;
        if (known === undefined) {
            failure = { code: SNOWFLAKE_CODES.incorrectPassword, message: "Incorrect username or password was specified." };
        } else if (method === "password" && data.PASSWORD !== known.password) {
            failure = { code: SNOWFLAKE_CODES.incorrectPassword, message: "Incorrect username or password was specified." };
        } else if (method === "keypair" && !verifyJwt(String(data.TOKEN), account, user, known.publicKey)) {
            failure = { code: SNOWFLAKE_CODES.invalidJwt, message: "JWT token is invalid." };
        } else if (method === "other") {
            failure = { code: SNOWFLAKE_CODES.incorrectPassword, message: "Incorrect username or password was specified." };
        }
        this.logins.push({ user, account, method, role, warehouse, succeeded: failure === undefined });
        if (failure !== undefined) {
            return { success: false, code: failure.code, message: failure.message, data: { nextAction: "RETRY_LOGIN", authnMethod: "PASSWORD" } };
        }
        const token = crypto.randomUUID();
        this.sessions.set(token, { user, role, warehouse });
        return {
            success: true,
            code: null,
            message: null,
            data: {
                token,
                masterToken: token,
                validityInSeconds: 3600,
                masterValidityInSeconds: 14400,
                sessionId: Math.floor(Math.random() * 1e12),
                parameters: [{ name: "CLIENT_SESSION_KEEP_ALIVE", value: false }],
                sessionInfo: { databaseName: null, schemaName: null, warehouseName: warehouse ?? null, roleName: role ?? "PUBLIC" },
            },
        };
    }

    /**
     * What Snowflake answers regardless of any script: a refused bind, or a reply that depends
     * on the session role's privileges (SHOW AGENTS, the event function); GRANT and REVOKE of
     * agent privileges and of roles change the modelled grants. Undefined for anything else.
     */
    private enforce(session: Session, sql: string, binds?: readonly string[]): Reply | undefined {
        const code = sql.replace(/\s+/g, " ").replace(/;\s*$/, "").trim();
        if (placeholders(sql) > 0 && (NO_BINDS_STATEMENT.test(code) || NO_BINDS_CLAUSE.test(code))) {
            // Snowflake parses these without bind support: the `?` is a syntax error (error text assumed, not documented).
            const position = code.indexOf("?");
            return { error: { code: "001003", sqlState: "42000",
                message: `SQL compilation error:\nsyntax error line 1 at position ${position} unexpected '?'.` } };
        }
        if (binds !== undefined && binds.length !== placeholders(sql)) {
            return { error: { code: "002049", sqlState: "42601",
                message: `SQL compilation error: error line 0 at position -1\nBind variable count ${binds.length} does not match the ${placeholders(sql)} placeholder(s).` } };
        }
        const grant = /^(GRANT|REVOKE) (.+?) ON (AGENT (\S+)|(ALL|FUTURE) AGENTS IN (SCHEMA|DATABASE) (\S+)) (?:TO|FROM) ROLE (\S+)$/i.exec(code);
        if (grant !== null) {
            const on: AgentScope = grant[4] !== undefined ? { agent: grant[4].toUpperCase() }
                : { scope: grant[5].toUpperCase() as "ALL" | "FUTURE", in: grant[6].toUpperCase() as "SCHEMA" | "DATABASE", name: grant[7].toUpperCase() };
            for (const privilege of grant[2].split(/\s*,\s*/)) {
                if (grant[1].toUpperCase() === "GRANT") {
                    this.grantOnAgents(grant[8], privilege, on);
                } else {
                    const grants = this.agentGrants.get(grant[8].toUpperCase()) ?? [];
                    this.agentGrants.set(grant[8].toUpperCase(), grants.filter((candidate) =>
                        candidate.privilege !== privilege.toUpperCase() || JSON.stringify(candidate.on) !== JSON.stringify(on)));
                }
            }
            return undefined;
        }
        const roleGrant = /^(GRANT|REVOKE) (?:DATABASE |APPLICATION )?ROLE (\S+) (?:TO|FROM) ROLE (\S+)$/i.exec(code);
        if (roleGrant !== null) {
            if (roleGrant[1].toUpperCase() === "GRANT") {
                this.grantRole(roleGrant[2], roleGrant[3]);
            } else {
                this.revokeRole(roleGrant[2], roleGrant[3]);
            }
            return undefined;
        }
        const show = /^SHOW AGENTS(?: LIKE '([^']*)')?(?: IN (ACCOUNT|DATABASE (\S+)|SCHEMA (\S+)))?(?: LIMIT \d+)?$/i.exec(code);
        if (show !== null) {
            const like = show[1] === undefined ? undefined : new RegExp(`^${show[1].replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/%/g, ".*").replace(/_/g, ".")}$`, "i");
            const manageGrants = this.holdsOnAccount(session.role, "MANAGE GRANTS");
            const rows = this.agents
                .filter((agent) => manageGrants || this.holdsOnAgent(session.role, agentName(agent), AGENT_VISIBILITY))
                .filter((agent) => like === undefined || like.test(agent.name))
                .filter((agent) => show[3] === undefined || agent.database === show[3].toUpperCase())
                .filter((agent) => show[4] === undefined || `${agent.database}.${agent.schema}` === show[4].toUpperCase())
                .map((agent) => ["2026-01-01 00:00:00.000 +0000", agent.name, agent.database, agent.schema, agent.owner ?? null, null]);
            return { columns: ["created_on", "name", "database_name", "schema_name", "owner", "comment"], rows };
        }
        // A dollar-quoted body (a procedure's) is stored, not run: only a call outside one reads events.
        const executed = code.replace(/\$\$[\s\S]*?\$\$/g, "$$$$$$$$");
        const events = /GET_AI_OBSERVABILITY_EVENTS\s*\(\s*([^,]+),\s*([^,]+),\s*([^,]+),\s*([^)]+)\)/i.exec(executed);
        if (events !== null) {
            let bound = 0;
            const argument = (raw: string) => {
                const value = raw.trim();
                return value === "?" ? String(binds?.[bound++] ?? "") : value.replace(/^'|'$/g, "");
            };
            const [database, schema, name] = [argument(events[1]), argument(events[2]), argument(events[3])].map((part) => part.toUpperCase());
            const agent = `${database}.${schema}.${name}`;
            if (!this.rolesOf(session.role).has(CORTEX_USER)) {
                return insufficientPrivileges(`function GET_AI_OBSERVABILITY_EVENTS: the role needs the ${CORTEX_USER} database role`);
            }
            const exists = this.agents.some((candidate) => agentName(candidate) === agent);
            if (!exists || !this.holdsOnAgent(session.role, agent, ["OWNERSHIP", "MONITOR"])) {
                return objectMissing(`Agent '${agent}'`);
            }
        }
        return undefined;
    }

    /**
     * PUT, LIST and REMOVE on internal stages, or undefined for any other statement. A PUT is
     * answered, as Snowflake answers it, with the upload the driver must carry out; only the
     * location type differs (LOCAL_FS, a directory here, where Snowflake names cloud storage).
     */
    private stageCommand(sql: string): unknown {
        const put = /^PUT\s+'?file:\/\/([^'\s]+)'?\s+('@[^']+'|@\S+)/i.exec(sql);
        if (put) {
            const target = stageLocation(put[2]);
            return {
                success: true,
                code: null,
                message: null,
                data: {
                    command: "UPLOAD",
                    src_locations: [put[1]],
                    autoCompress: !/AUTO_COMPRESS\s*=\s*FALSE/i.test(sql),
                    sourceCompression: "auto_detect",
                    parallel: 1,
                    overwrite: /OVERWRITE\s*=\s*TRUE/i.test(sql),
                    stageInfo: {
                        locationType: "LOCAL_FS",
                        location: path.join(this.stageRoot, target.stage, ...target.path.split("/").filter(Boolean)),
                        path: target.path,
                        region: null,
                        creds: {},
                    },
                    encryptionMaterial: null,
                    queryId: crypto.randomUUID(),
                },
            };
        }
        const list = /^(LIST|LS)\s+('@[^']+'|@\S+)/i.exec(sql);
        if (list) {
            const target = stageLocation(list[2]);
            const stageName = target.stage.split(".").pop()!.toLowerCase();
            const rows = Object.entries(this.stagedFiles(target.stage))
                .filter(([file]) => file.startsWith(target.path))
                .map(([file, content]) => [`${stageName}/${file}`, String(Buffer.byteLength(content)),
                    crypto.createHash("md5").update(content).digest("hex"), new Date().toUTCString()]);
            return resultPayload(["name", "size", "md5", "last_modified"], rows);
        }
        const remove = /^(REMOVE|RM)\s+('@[^']+'|@\S+)/i.exec(sql);
        if (remove) {
            const target = stageLocation(remove[2]);
            const stageName = target.stage.split(".").pop()!.toLowerCase();
            const removed = Object.keys(this.stagedFiles(target.stage)).filter((file) => file.startsWith(target.path));
            for (const file of removed) {
                fs.rmSync(path.join(this.stageRoot, target.stage, ...file.split("/")));
            }
            return resultPayload(["name", "result"], removed.map((file) => [`${stageName}/${file}`, "removed"]));
        }
        return undefined;
    }

    private query(session: Session, text: string, binds?: string[]): { payload: unknown } | { httpStatus: number } {
        const sql = text.split("\n").filter((line) => !line.trimStart().startsWith("--")).join("\n").trim();
        const rule = this.rules.find((candidate) => candidate.pattern.test(sql) && candidate.remaining !== 0);
        if (rule?.remaining !== undefined) {
            rule.remaining -= 1;
        }
        const record = { sql, user: session.user, role: session.role, warehouse: session.warehouse, ...(binds ? { binds } : {}) };
        if (rule === undefined) {
            const staged = this.stageCommand(sql);
            if (staged !== undefined) {
                this.statements.push(record);
                return { payload: staged };
            }
        }
        const scriptedFailure = rule !== undefined && !("rows" in rule.reply);
        const enforced = scriptedFailure ? undefined : this.enforce(session, sql, binds);
        const reply = enforced ?? rule?.reply ?? STATUS_ROWS;
        if ("httpStatus" in reply) {
            this.statements.push({ ...record, httpStatus: reply.httpStatus });
            return { httpStatus: reply.httpStatus };
        }
        this.statements.push(record);
        const queryId = crypto.randomUUID();
        if ("error" in reply) {
            return {
                payload: {
                    success: false,
                    code: reply.error.code,
                    message: reply.error.message,
                    data: { queryId, sqlState: reply.error.sqlState, errorCode: reply.error.code, internalError: false, age: 0 },
                },
            };
        }
        const useRole = /^USE\s+ROLE\s+([A-Z0-9_$]+)\s*;?$/i.exec(sql);
        if (useRole) {
            session.role = useRole[1].toUpperCase();
        }
        const payload = {
            success: true,
            code: null,
            message: null,
            data: {
                parameters: [],
                rowtype: reply.columns.map((name) => ({
                    name, database: "", schema: "", table: "", type: "text", nullable: true,
                    byteLength: 16777216, length: 16777216, scale: null, precision: null, collation: null,
                })),
                rowset: reply.rows,
                total: reply.rows.length,
                returned: reply.rows.length,
                queryId,
                databaseProvider: null,
                finalDatabaseName: null,
                finalSchemaName: null,
                finalWarehouseName: session.warehouse ?? null,
                finalRoleName: session.role ?? null,
                numberOfBinds: 0,
                arrayBindSupported: false,
                statementTypeId: 4096,
                version: 1,
                sendResultTime: Date.now(),
                queryResultFormat: "json",
            },
        };
        this.results.set(queryId, payload);
        return { payload };
    }
}

function agentName(agent: FakeAgent): string {
    return `${agent.database}.${agent.schema}.${agent.name}`.toUpperCase();
}

function inScope(scope: { readonly in: "SCHEMA" | "DATABASE"; readonly name: string }, agent: FakeAgent): boolean {
    return scope.in === "DATABASE" ? agent.database.toUpperCase() === scope.name.toUpperCase()
        : `${agent.database}.${agent.schema}`.toUpperCase() === scope.name.toUpperCase();
}

/** `'@DB.S.STAGE/a/b'` or `@DB.S.STAGE/a/b` as the stage and the path inside it. */
function stageLocation(location: string): { stage: string; path: string } {
    const [stage, ...rest] = location.replace(/^'|'$/g, "").replace(/^@/, "").split("/");
    return { stage: stage.toUpperCase(), path: rest.filter((part) => part !== "").join("/") };
}

/** A one-row-per-item result in the JSON format, as the fake returns every result. */
function resultPayload(columns: readonly string[], rows: readonly (readonly (string | null)[])[]): unknown {
    return {
        success: true,
        code: null,
        message: null,
        data: {
            parameters: [],
            rowtype: columns.map((name) => ({
                name, database: "", schema: "", table: "", type: "text", nullable: true,
                byteLength: 16777216, length: 16777216, scale: null, precision: null, collation: null,
            })),
            rowset: rows,
            total: rows.length,
            returned: rows.length,
            queryId: crypto.randomUUID(),
            queryResultFormat: "json",
        },
    };
}

/**
 * Request bodies: snowflake-sdk 3.3 starts gzipping a body in a callback that finishes after
 * the request has been built, so its bodies arrive as plain JSON without Content-Encoding (seen
 * on every endpoint here). Should the compression win that race, a gzipped body arrives:
 * accept both, by the gzip magic bytes rather than the header.
 */
async function readJson(request: http.IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) {
        chunks.push(chunk as Buffer);
    }
    let raw = Buffer.concat(chunks);
    if (raw.length === 0) {
        return {};
    }
    if (raw[0] === 0x1f && raw[1] === 0x8b) {
        raw = zlib.gunzipSync(raw);
    }
    return JSON.parse(raw.toString("utf8"));
}

/** Checks an RS256 JWT as Snowflake does: signature, subject `ACCOUNT.USER`, not expired. */
function verifyJwt(token: string, account: string, user: string, publicKey: string | undefined): boolean {
    const [header, payload, signature] = token.split(".");
    if (publicKey === undefined || signature === undefined) {
        return false;
    }
    const signed = crypto.verify("RSA-SHA256", Buffer.from(`${header}.${payload}`),
        crypto.createPublicKey(publicKey), Buffer.from(signature, "base64url"));
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { sub?: string; exp?: number };
    return signed && claims.sub === `${account.toUpperCase()}.${user.toUpperCase()}` && (claims.exp ?? 0) > Date.now();
}

/**
 * Adds a password user to `fake` and configures `provider` to log in as it through the fake,
 * the way `pulumi up` configures it from the stack's `snowflake:` keys.
 */
export async function configureAgainstFake(fake: FakeSnowflake, provider: pulumi.dynamic.ResourceProvider,
                                           user: string, password: string): Promise<void> {
    fake.addUser(user, { password });
    process.env[ACCESS_URL_ENV] = fake.url;
    const config: Record<string, string> = {
        "snowflake:organizationName": "MYORG",
        "snowflake:accountName": "MYACCOUNT",
        "snowflake:user": user,
        "snowflake:password": password,
    };
    await provider.configure!({ config: { get: (key) => config[key], require: (key) => config[key] } });
}

/**
 * Registers the mocha hooks of a suite that drives `provider` against one fake: started and
 * logged into as DEPLOYER before the suite, its traffic forgotten after each test, stopped after
 * the suite. `started` receives the fake.
 */
export function useFakeSnowflake(provider: pulumi.dynamic.ResourceProvider, started: (fake: FakeSnowflake) => void): void {
    let fake: FakeSnowflake;
    before(async () => {
        fake = await FakeSnowflake.start();
        started(fake);
        await configureAgainstFake(fake, provider, "DEPLOYER", "deployer password 42");
    });
    afterEach(() => fake.reset());
    after(async () => {
        delete process.env[ACCESS_URL_ENV];
        await fake.stop();
    });
}
