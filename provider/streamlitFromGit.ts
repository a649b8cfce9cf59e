import * as pulumi from "@pulumi/pulumi";

import { GIT_APP_PATH_PATTERN, GIT_COMMIT_PATTERN, GIT_REF_PATTERN, HTTPS_URL_PATTERN } from "../lib/config/git";
import { IDENTIFIER_PATTERN, QUALIFIED_NAME_PATTERN } from "../lib/sql/identifier";
import { ident, literal } from "../lib/sql/render";
import {
    BindHistoryGuard, bindHistoryGuard, checkBindHistoryGuard, ensureBindHistoryClosed, runBoundSecretStatement,
} from "./bindHistory";
import { Session } from "./connection";
import { CheckFailure, checkRoleSwitches, checkStatement, Cleanup, dropIfPresent, ResourceKind, snowflakeProvider } from "./resource";
import { providerStatement, roleSwitches, Statement } from "./statements";
import {
    checkStreamlitApp, deployStreamlitApp, findStreamlitApp, StreamlitApp, streamlitAppStatementList,
    streamlitAppStatements, urlIdOf,
} from "./streamlit";

/**
 * A Streamlit app built from a Git repository: an optional secret holding a token, a
 * `git_https_api` API integration, a Git repository clone, `FETCH`, then the app created from
 * `@<repository>/<branches|tags|commits>/<ref>/<path>`, its live version and the viewer's usage.
 *
 * Roles: the API integration is an account object, so it and its usage grant run as the admin
 * role (CREATE INTEGRATION is an account privilege); the secret, the repository and the app
 * live in the schema and run as the owner role, which therefore owns them, like every other
 * schema object. One session does both, switching with USE ROLE.
 *
 * The token is an input only as a Pulumi secret: statements bind it at run time (`?`), it is
 * redacted from messages, and the outputs keep a salted fingerprint instead (see resource.ts).
 * Before it is bound, the admin role reads that the account keeps bind values unreadable
 * (bindHistory.ts).
 */

export interface GitSecret {
    /** `DATABASE.SCHEMA.NAME`. */
    readonly name: string;
    /** Binds the token. */
    readonly create: Statement;
    /** Binds the token; rotates it in place. */
    readonly alter: Statement;
    readonly drop: Statement;
}

export interface GitApiIntegration {
    readonly name: string;
    readonly create: Statement;
    /** USAGE for the owner role, which creates the repository. */
    readonly grantUsage: Statement;
    readonly drop: Statement;
}

export interface GitRepository {
    /** `DATABASE.SCHEMA.NAME`. */
    readonly name: string;
    readonly origin: string;
    readonly create: Statement;
    readonly fetch: Statement;
    readonly drop: Statement;
}

/** What is deployed, as a preview shows it. */
export interface GitSource {
    /** `branches/<name>`, `tags/<name>` or `commits/<sha>`, as configured. */
    readonly ref: string;
    /** The commit of a branch the team chose to deploy; the app is then built from exactly that commit. */
    readonly commit?: string;
    /** The app's folder in the repository (`.` for the root). */
    readonly path: string;
    /** The location the app's files are copied from. */
    readonly location: string;
}

export interface StreamlitFromGitInputs {
    /** The session's role: it owns the secret, the repository and the app. */
    readonly ownerRole: string;
    /** Creates the API integration and grants its usage. */
    readonly adminRole: string;
    readonly useOwnerRole: Statement;
    readonly useAdminRole: Statement;
    /** Present when the repository needs credentials. */
    readonly secret?: GitSecret;
    /** The token the secret holds; a Pulumi secret. Present exactly when `secret` is. */
    readonly gitToken?: string;
    /** Checked before the token is bound to CREATE or ALTER SECRET. */
    readonly bindHistory: BindHistoryGuard;
    readonly apiIntegration: GitApiIntegration;
    readonly repository: GitRepository;
    readonly source: GitSource;
    readonly app: StreamlitApp;
}

export interface StreamlitFromGitOutputs extends StreamlitFromGitInputs {
    /** Snowflake's URL id for the app (SHOW STREAMLITS `url_id`), or null. */
    readonly urlId: string | null;
}

export interface StreamlitFromGitSettings {
    readonly database: string;
    readonly schema: string;
    readonly ownerRole: string;
    readonly adminRole: string;
    readonly viewerRole: string;
    readonly queryWarehouse: string;
    readonly comment: string;
    readonly appName: string;
    readonly title: string;
    readonly mainFile: string;
    readonly repositoryName: string;
    readonly secretName: string;
    /** Account-level, so unique per account: derive it from the schema. */
    readonly integrationName: string;
    readonly repositoryUrl: string;
    readonly allowedPrefixes: readonly string[];
    readonly ref: string;
    readonly commit?: string;
    readonly appPath: string;
    /** With `withToken`, the secret's user name. */
    readonly username?: string;
    /** Whether a token (passed separately, as a secret) is used: renders the secret and the credentialed statements. */
    readonly withToken: boolean;
    /** wallmonitor:acceptReadableBindValues; without it, readable bind history refuses the secret. */
    readonly acceptReadableBindValues?: boolean;
}

/**
 * `@<repository>/<ref>/<path>`; a branch pinned to a commit reads `commits/<sha>`. A branch or
 * tag name with a slash is double-quoted (Snowflake's rule for such names; unverified on a live account).
 */
export function gitSourceLocation(repository: string, ref: string, commit: string | undefined, appPath: string): string {
    const [kind, ...name] = ref.split("/");
    const refPath = commit !== undefined ? `commits/${commit}` : `${kind}/${name.length > 1 ? `"${name.join("/")}"` : name[0]}`;
    return `@${repository}/${refPath}${appPath === "." ? "" : `/${appPath}`}`;
}

/** Renders every statement of the resource (program side). The token itself is not an argument. */
export function streamlitFromGitInputs(args: StreamlitFromGitSettings): Omit<StreamlitFromGitInputs, "gitToken"> {
    const secret = ident(args.database, args.schema, args.secretName);
    const integration = ident(args.integrationName);
    const repository = ident(args.database, args.schema, args.repositoryName);
    const comment = literal(args.comment);
    if (args.withToken && args.username === undefined) {
        throw new Error("A Git token needs the user name it belongs to (wallmonitor:gitUsername).");
    }
    const location = gitSourceLocation(repository.identifier, args.ref, args.commit, args.appPath);
    const prefixes = { list: args.allowedPrefixes.map((prefix) => literal(prefix)) };
    return {
        ...roleSwitches(args.ownerRole, args.adminRole, "streamlit/use_role"),
        secret: args.withToken ? {
            name: secret.identifier,
            create: providerStatement("streamlit/create_git_secret", {
                SECRET: secret, USERNAME: literal(args.username!), COMMENT: comment,
            }),
            alter: providerStatement("streamlit/alter_git_secret", { SECRET: secret, USERNAME: literal(args.username!) }),
            drop: providerStatement("streamlit/drop_secret", { SECRET: secret }),
        } : undefined,
        apiIntegration: {
            name: integration.identifier,
            create: args.withToken
                ? providerStatement("streamlit/create_git_api_integration", {
                    INTEGRATION: integration, ALLOWED_PREFIXES: prefixes, SECRET: secret, COMMENT: comment,
                })
                : providerStatement("streamlit/create_public_git_api_integration", {
                    INTEGRATION: integration, ALLOWED_PREFIXES: prefixes, COMMENT: comment,
                }),
            grantUsage: providerStatement("streamlit/grant_integration_usage", { INTEGRATION: integration, ROLE: ident(args.ownerRole) }),
            drop: providerStatement("streamlit/drop_api_integration", { INTEGRATION: integration }),
        },
        repository: {
            name: repository.identifier,
            origin: args.repositoryUrl,
            create: args.withToken
                ? providerStatement("streamlit/create_git_repository", {
                    REPOSITORY: repository, ORIGIN: literal(args.repositoryUrl), INTEGRATION: integration, SECRET: secret,
                    COMMENT: comment,
                })
                : providerStatement("streamlit/create_public_git_repository", {
                    REPOSITORY: repository, ORIGIN: literal(args.repositoryUrl), INTEGRATION: integration, COMMENT: comment,
                }),
            fetch: providerStatement("streamlit/fetch_git_repository", { REPOSITORY: repository }),
            drop: providerStatement("streamlit/drop_git_repository", { REPOSITORY: repository }),
        },
        bindHistory: bindHistoryGuard(args.acceptReadableBindValues ?? false),
        source: { ref: args.ref, ...(args.commit === undefined ? {} : { commit: args.commit }), path: args.appPath, location },
        app: streamlitAppStatements({
            database: args.database,
            schema: args.schema,
            name: args.appName,
            sourceLocation: location,
            mainFile: args.mainFile,
            queryWarehouse: args.queryWarehouse,
            title: args.title,
            viewerRole: args.viewerRole,
            comment: args.comment,
        }),
    };
}

/** Every statement the inputs hold, for tests and plans. */
export function streamlitFromGitStatements(inputs: Omit<StreamlitFromGitInputs, "gitToken">): Statement[] {
    const { secret, apiIntegration, repository } = inputs;
    return [
        inputs.useOwnerRole, inputs.useAdminRole,
        ...(secret === undefined ? [] : [inputs.bindHistory.check, secret.create, secret.alter, secret.drop]),
        apiIntegration.create, apiIntegration.grantUsage, apiIntegration.drop,
        repository.create, repository.fetch, repository.drop,
        ...streamlitAppStatementList(inputs.app),
    ];
}

function checkInputs(news: Readonly<Record<string, unknown>>): CheckFailure[] {
    const failures = checkRoleSwitches(news);
    const secret = news.secret as Partial<GitSecret> | undefined;
    const token = news.gitToken;
    if (secret !== undefined) {
        if (typeof secret.name !== "string" || !QUALIFIED_NAME_PATTERN.test(secret.name)) {
            failures.push({ property: "secret", reason: "must name the secret as DATABASE.SCHEMA.NAME; render it with streamlitFromGitInputs()." });
        }
        failures.push(...checkStatement("secret", secret.create), ...checkStatement("secret", secret.alter),
            ...checkStatement("secret", secret.drop));
        if (typeof token !== "string" || token === "") {
            failures.push({ property: "gitToken", reason: "the repository's credentials need a token: set it with " +
                "`pulumi config set --secret wallmonitor:gitToken`." });
        }
    } else if (token !== undefined) {
        failures.push({ property: "gitToken", reason: "a token is given but no secret is rendered to hold it; " +
            "render the inputs with streamlitFromGitInputs({ withToken: true, ... })." });
    }
    const integration = (news.apiIntegration ?? {}) as Partial<GitApiIntegration>;
    if (typeof integration.name !== "string" || !IDENTIFIER_PATTERN.test(integration.name)) {
        failures.push({ property: "apiIntegration", reason: `${JSON.stringify(integration.name)} is not an unquoted UPPERCASE ` +
            "identifier for the API integration." });
    }
    for (const key of ["create", "grantUsage", "drop"] as const) {
        failures.push(...checkStatement("apiIntegration", integration[key]));
    }
    const repository = (news.repository ?? {}) as Partial<GitRepository>;
    if (typeof repository.name !== "string" || !QUALIFIED_NAME_PATTERN.test(repository.name)) {
        failures.push({ property: "repository", reason: "must name the repository as DATABASE.SCHEMA.NAME." });
    }
    if (typeof repository.origin !== "string" || !HTTPS_URL_PATTERN.test(repository.origin)) {
        failures.push({ property: "repository", reason: `${JSON.stringify(repository.origin)} is not an https:// URL ` +
            "without credentials, such as https://github.com/acme/wallmonitor.git." });
    }
    for (const key of ["create", "fetch", "drop"] as const) {
        failures.push(...checkStatement("repository", repository[key]));
    }
    const source = (news.source ?? {}) as Partial<GitSource>;
    if (typeof source.ref !== "string" || !GIT_REF_PATTERN.test(source.ref)) {
        failures.push({ property: "source", reason: `ref ${JSON.stringify(source.ref)} is not branches/<name>, tags/<name> ` +
            "or commits/<40-hex sha>, for example branches/main." });
    }
    if (source.commit !== undefined && (!GIT_COMMIT_PATTERN.test(String(source.commit)) || !String(source.ref).startsWith("branches/"))) {
        failures.push({ property: "source", reason: `commit ${JSON.stringify(source.commit)} must be a full 40-hex SHA of a branch ref.` });
    }
    if (typeof source.path !== "string" || !GIT_APP_PATH_PATTERN.test(source.path)) {
        failures.push({ property: "source", reason: `path ${JSON.stringify(source.path)} is not a folder in the repository, ` +
            "such as streamlit (or . for its root)." });
    }
    if (typeof source.location !== "string" || !source.location.startsWith(`@${String(repository.name)}/`)) {
        failures.push({ property: "source", reason: "location must be a path in the repository; render it with streamlitFromGitInputs()." });
    }
    failures.push(...checkStreamlitApp("app", news.app));
    failures.push(...checkBindHistoryGuard("bindHistory", news.bindHistory));
    // The token must only ever be bound, never part of a statement's text. (Shorter strings would
    // match ordinary text; real tokens are far longer.)
    if (typeof token === "string" && token.length >= 8) {
        const { gitToken: _token, ...rest } = news;
        if (JSON.stringify(rest).includes(token)) {
            failures.push({ property: "gitToken", reason: "the token appears in the resource's other inputs (a statement's text); " +
                "it may only be bound at run time." });
        }
    }
    return failures;
}

/** Registers an undo statement to run as `role` (cleanup runs newest first, so the USE ROLE is registered after it). */
function undoAs(cleanup: Cleanup, role: Statement, undo: Statement): void {
    cleanup.onFailure(undo);
    cleanup.onFailure(role);
}

/** Creates the integration as the admin role and lets the owner role use it; leaves the session as the owner role. */
async function createIntegration(session: Session, inputs: StreamlitFromGitInputs, cleanup?: Cleanup): Promise<void> {
    await session.run(inputs.useAdminRole);
    await session.run(inputs.apiIntegration.create);
    if (cleanup !== undefined) {
        undoAs(cleanup, inputs.useAdminRole, inputs.apiIntegration.drop);
    }
    await session.run(inputs.apiIntegration.grantUsage);
    await session.run(inputs.useOwnerRole);
}

/** FETCH, then the app from the fetched files. */
async function fetchAndDeploy(session: Session, inputs: StreamlitFromGitInputs, cleanup?: Cleanup): Promise<void> {
    await session.run(inputs.repository.fetch);
    await deployStreamlitApp(session, inputs.app,
        cleanup === undefined ? undefined : { onFailure: (undo) => undoAs(cleanup, inputs.useOwnerRole, undo) });
}

/** What the stack can do if this account refuses the token as a bind. */
const WITHOUT_GIT_TOKEN = "deploy the dashboard from this repository's folder instead " +
    "(`pulumi config set wallmonitor:dashboardSource folder`), or from a repository that needs no token " +
    "(remove wallmonitor:gitToken).";

/** CREATE or ALTER SECRET (`statement`) with the token bound, once bind history is known to be closed. */
async function writeSecret(session: Session, inputs: StreamlitFromGitInputs, statement: Statement): Promise<void> {
    await ensureBindHistoryClosed(session, inputs.bindHistory, inputs.secret!.name,
        { to: inputs.useAdminRole, back: inputs.useOwnerRole });
    await runBoundSecretStatement(session, statement, inputs.gitToken ?? "", WITHOUT_GIT_TOKEN);
}

export const streamlitFromGitKind: ResourceKind<StreamlitFromGitInputs, StreamlitFromGitOutputs> = {
    description: "the Streamlit app from Git",
    properties: {
        // The secret, repository and app belong to the owner role: another role is other objects.
        ownerRole: "replace",
        // Who switches roles changes nothing that exists; the next create or update uses it.
        adminRole: "none",
        useOwnerRole: "none",
        useAdminRole: "none",
        secret: "update",
        gitToken: "update",
        // How the token may be written, not what is deployed: the next CREATE or ALTER SECRET reads it.
        bindHistory: "none",
        apiIntegration: "update",
        repository: "update",
        source: "update",
        app: "update",
    },
    secretInputs: ["gitToken"],
    check: checkInputs,
    session: (inputs) => ({ role: inputs.ownerRole, secrets: inputs.gitToken === undefined ? [] : [inputs.gitToken] }),

    async create(session, inputs, cleanup) {
        if (inputs.secret !== undefined) {
            await writeSecret(session, inputs, inputs.secret.create);
            undoAs(cleanup, inputs.useOwnerRole, inputs.secret.drop);
        }
        await createIntegration(session, inputs, cleanup);
        await session.run(inputs.repository.create);
        undoAs(cleanup, inputs.useOwnerRole, inputs.repository.drop);
        await fetchAndDeploy(session, inputs, cleanup);
        return { id: inputs.app.name, outs: { ...inputs, urlId: urlIdOf(await findStreamlitApp(session, inputs.app)) } };
    },

    async read(session, _id, state) {
        const row = await findStreamlitApp(session, state.app);
        return row === undefined ? undefined : { ...state, urlId: urlIdOf(row) };
    },

    async update(session, _id, olds, news, changed) {
        if (changed.length === 0) {
            return { ...news, urlId: olds.urlId };
        }
        const has = (property: keyof StreamlitFromGitInputs) => changed.includes(property);
        const secretReplaced = news.secret !== undefined && olds.secret?.name !== news.secret.name;
        const secretGone = olds.secret !== undefined && olds.secret.name !== news.secret?.name;
        if (secretReplaced) {
            await writeSecret(session, news, news.secret!.create);
        } else if (news.secret !== undefined && (has("secret") || has("gitToken"))) {
            await writeSecret(session, news, news.secret.alter);
        }
        // The integration names the secret it allows, and the repository both: when either
        // changes they are created again, in order.
        const replaceIntegration = has("apiIntegration") || secretReplaced || secretGone;
        if (replaceIntegration) {
            await createIntegration(session, news);
            if (olds.apiIntegration.name !== news.apiIntegration.name) {
                await session.run(news.useAdminRole);
                await dropIfPresent(session, olds.apiIntegration.drop);
                await session.run(news.useOwnerRole);
            }
        }
        if (replaceIntegration || has("repository")) {
            await session.run(news.repository.create);
            if (olds.repository.name !== news.repository.name) {
                await dropIfPresent(session, olds.repository.drop);
            }
        }
        if (secretGone) {
            await dropIfPresent(session, olds.secret!.drop);
        }
        // The app holds its own copy of the files: only another repository, ref or app definition
        // redeploys it, not new credentials for the same repository.
        const otherRepository = olds.repository.origin !== news.repository.origin || olds.repository.name !== news.repository.name;
        if (otherRepository || has("source") || has("app")) {
            await fetchAndDeploy(session, news);
            if (olds.app.name !== news.app.name) {
                await dropIfPresent(session, olds.app.drop);
            }
        }
        return { ...news, urlId: urlIdOf(await findStreamlitApp(session, news.app)) };
    },

    async delete(session, _id, state) {
        await dropIfPresent(session, state.app.drop);
        await dropIfPresent(session, state.repository.drop);
        await session.run(state.useAdminRole);
        await dropIfPresent(session, state.apiIntegration.drop);
        await session.run(state.useOwnerRole);
        if (state.secret !== undefined) {
            await dropIfPresent(session, state.secret.drop);
        }
    },
};

const provider = snowflakeProvider(streamlitFromGitKind);

/** The resource's arguments: its resolved inputs, each of which may be an Output; `gitToken` should be a secret. */
export type StreamlitFromGitArgs = { readonly [K in keyof StreamlitFromGitInputs]: pulumi.Input<StreamlitFromGitInputs[K]> };

/** See the module comment; build its args with `streamlitFromGitInputs` and pass the token as a Pulumi secret. */
export class StreamlitFromGit extends pulumi.dynamic.Resource {
    declare readonly app: pulumi.Output<StreamlitApp>;
    declare readonly source: pulumi.Output<GitSource>;
    declare readonly urlId: pulumi.Output<string | null>;

    constructor(name: string, args: StreamlitFromGitArgs, opts?: pulumi.CustomResourceOptions) {
        // The app's name is fixed, so a replacement must drop the old app before creating the new one.
        super(provider, name, { ...args, urlId: undefined, gitTokenFingerprint: undefined },
            { deleteBeforeReplace: true, ...opts }, "wallmonitor", "StreamlitFromGit");
    }
}
