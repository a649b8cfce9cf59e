import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

import { QUALIFIED_NAME_PATTERN } from "../lib/sql/identifier";
import { ident, literal } from "../lib/sql/render";
import { Session } from "./connection";
import { OBJECT_MISSING } from "./errors";
import { CheckFailure, checkIdentifier, checkStatement, dropIfPresent, ResourceKind, snowflakeProvider } from "./resource";
import { providerStatement, Statement } from "./statements";
import {
    checkStreamlitApp, deployStreamlitApp, findStreamlitApp, StreamlitApp, streamlitAppStatementList,
    streamlitAppStatements, urlIdOf,
} from "./streamlit";

/**
 * A Streamlit app built from the repository's streamlit/ folder: the files are uploaded to a
 * stage the owner role owns, and the app is created from there with the modern `FROM` form.
 *
 * The program reads and hashes the files (SHA-256 per relative path); the hashes are inputs,
 * so a preview names the files that changed, and an update uploads only those, removes from
 * the stage what was deleted, and makes a new live version. The provider reads a file only to
 * upload it, and first checks that it still has the hash the preview showed.
 */

/** How one file reaches the stage, and how it leaves it. */
export interface FileTransfer {
    /** `PUT 'file://<absolute path>' '@<stage>/<app>/<dir>'`. */
    readonly put: Statement;
    /** `REMOVE '@<stage>/<app>/<path>'`, run when the file is gone from the folder. */
    readonly remove: Statement;
}

export interface AppStage {
    /** `DATABASE.SCHEMA.STAGE`. */
    readonly name: string;
    /** The app's folder on the stage; the app is created from `@<stage>/<directory>`. */
    readonly directory: string;
    readonly create: Statement;
    /** Removes everything in the app's folder: files an earlier, failed attempt left there. */
    readonly clear: Statement;
    readonly list: Statement;
    readonly drop: Statement;
}

export interface StreamlitFromFolderInputs {
    /** The session's role; it owns the stage and the app. */
    readonly ownerRole: string;
    readonly stage: AppStage;
    /** Absolute path of the folder on the machine that runs Pulumi: where the files are read from. */
    readonly sourceDirectory: string;
    /** Entry point, at the folder's root; one of `files`. */
    readonly mainFile: string;
    /** SHA-256 (hex) of each file's content, by path relative to the folder (with `/`). */
    readonly files: Readonly<Record<string, string>>;
    /** The statements for each file in `files`. */
    readonly transfers: Readonly<Record<string, FileTransfer>>;
    readonly app: StreamlitApp;
}

export interface StreamlitFromFolderOutputs extends StreamlitFromFolderInputs {
    /** Snowflake's URL id for the app (SHOW STREAMLITS `url_id`), or null. */
    readonly urlId: string | null;
}

export interface StreamlitFromFolderSettings {
    readonly database: string;
    readonly schema: string;
    readonly ownerRole: string;
    readonly viewerRole: string;
    /** The app's query warehouse. */
    readonly queryWarehouse: string;
    readonly comment: string;
    /** The stage's object name, such as WALLMONITOR_STREAMLIT_STAGE. */
    readonly stageName: string;
    /** The app's object name, such as WALLMONITOR_DASHBOARD; also its folder on the stage. */
    readonly appName: string;
    readonly title: string;
    readonly mainFile: string;
    /** Absolute path of the folder the files come from. */
    readonly sourceDirectory: string;
    /** SHA-256 (hex) of each file, by relative path; see hashFolder in components/dashboardApp.ts. */
    readonly files: Readonly<Record<string, string>>;
}

/**
 * What the app's folder may upload, by file kind: Python modules (the app, its pages and its
 * package) and the warehouse runtime's conda file, environment.yml, at the root. An allowlist,
 * not a denylist: anything else in the folder (an untracked `.env`, `.streamlit/secrets.toml`,
 * a key file, a notebook) is never read, hashed or put on the stage, which the owner role's
 * readers can list and download. Hidden files and folders are never part of it either.
 * Streamlit in Snowflake reads exactly these: https://docs.snowflake.com/en/developer-guide/streamlit/app-development/dependency-management
 */
export const UPLOADED_FILE_KINDS: readonly string[] = ["*.py (any folder)", "environment.yml (the folder's root)"];

/** Whether `file` (relative, with `/`) is one of UPLOADED_FILE_KINDS. */
export function isUploadedFile(file: string): boolean {
    const segments = file.split("/");
    if (segments.some((segment) => segment === "" || segment.startsWith(".") || segment === "__pycache__")) {
        return false;
    }
    return file === "environment.yml" || /\.py$/.test(file);
}

/** Relative paths the statements can carry: no quotes, spaces or `..`. */
export const RELATIVE_PATH = /^(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
/** Renders every statement of the resource (program side). */
export function streamlitFromFolderInputs(args: StreamlitFromFolderSettings): StreamlitFromFolderInputs {
    const stage = ident(args.database, args.schema, args.stageName);
    const appFolder = `@${stage.identifier}/${ident(args.appName).identifier}`;
    const sourceDirectory = args.sourceDirectory.split(path.sep).join("/");
    const transfers: Record<string, FileTransfer> = {};
    for (const file of Object.keys(args.files).sort()) {
        if (!isUploadedFile(file)) {
            throw new Error(`${path.posix.join(sourceDirectory, file)} is not a file the dashboard uploads ` +
                `(${UPLOADED_FILE_KINDS.join(", ")}); it stays on this machine.`);
        }
        if (!RELATIVE_PATH.test(file)) {
            throw new Error(`${path.posix.join(sourceDirectory, file)}: a file name the dashboard uploads may hold only ` +
                "letters, digits, _ . - and /; rename it.");
        }
        const directory = path.posix.dirname(file);
        let source;
        try {
            source = literal(`file://${path.posix.join(sourceDirectory, file)}`);
        } catch {
            throw new Error(`${sourceDirectory}: the path to the app's folder contains a quote or backslash, which a PUT ` +
                "statement cannot carry; check the project out into another directory.");
        }
        transfers[file] = {
            put: providerStatement("streamlit/put_file", {
                SOURCE_FILE: source,
                STAGE_DIRECTORY: literal(directory === "." ? appFolder : `${appFolder}/${directory}`),
            }),
            remove: providerStatement("streamlit/remove_staged_files", { STAGE_PATH: literal(`${appFolder}/${file}`) }),
        };
    }
    return {
        ownerRole: args.ownerRole,
        stage: {
            name: stage.identifier,
            directory: args.appName,
            create: providerStatement("streamlit/create_streamlit_stage", { STAGE: stage, COMMENT: literal(args.comment) }),
            clear: providerStatement("streamlit/remove_staged_files", { STAGE_PATH: literal(`${appFolder}/`) }),
            list: providerStatement("streamlit/list_staged_files", { STAGE_PATH: literal(`${appFolder}/`) }),
            drop: providerStatement("streamlit/drop_stage", { STAGE: stage }),
        },
        sourceDirectory,
        mainFile: args.mainFile,
        files: Object.fromEntries(Object.keys(args.files).sort().map((file) => [file, args.files[file]])),
        transfers,
        app: streamlitAppStatements({
            database: args.database,
            schema: args.schema,
            name: args.appName,
            sourceLocation: appFolder,
            mainFile: args.mainFile,
            queryWarehouse: args.queryWarehouse,
            title: args.title,
            viewerRole: args.viewerRole,
            comment: args.comment,
        }),
    };
}

/** Every statement the inputs hold, for tests and plans. */
export function streamlitFromFolderStatements(inputs: StreamlitFromFolderInputs): Statement[] {
    const { stage } = inputs;
    return [
        stage.create, stage.clear, stage.list, stage.drop,
        ...Object.values(inputs.transfers).flatMap((transfer) => [transfer.put, transfer.remove]),
        ...streamlitAppStatementList(inputs.app),
    ];
}

function checkInputs(news: Readonly<Record<string, unknown>>): CheckFailure[] {
    const failures = [...checkIdentifier(news, "ownerRole", "SFE_WALLMONITOR_OWNER")];
    const stage = (news.stage ?? {}) as Partial<AppStage>;
    if (typeof stage.name !== "string" || !QUALIFIED_NAME_PATTERN.test(stage.name) || typeof stage.directory !== "string") {
        failures.push({ property: "stage", reason: "must name the stage as DATABASE.SCHEMA.NAME and the app's folder on it; " +
            "render it with streamlitFromFolderInputs()." });
    }
    for (const key of ["create", "clear", "list", "drop"] as const) {
        failures.push(...checkStatement("stage", stage[key]));
    }
    const sourceDirectory = news.sourceDirectory;
    if (typeof sourceDirectory !== "string" || !/^(\/|[A-Za-z]:\/)/.test(sourceDirectory)) {
        failures.push({ property: "sourceDirectory", reason: `${JSON.stringify(sourceDirectory)} is not an absolute path ` +
            "(with /) to the folder the files are read from." });
    }
    const files = news.files as Readonly<Record<string, unknown>> | undefined;
    const transfers = (news.transfers ?? {}) as Readonly<Record<string, Partial<FileTransfer>>>;
    if (files === null || typeof files !== "object" || Array.isArray(files) || Object.keys(files).length === 0) {
        failures.push({ property: "files", reason: `there are no files to upload in ${String(sourceDirectory)}; ` +
            "the folder must hold at least the app's main file." });
    } else {
        for (const [file, hash] of Object.entries(files)) {
            if (!RELATIVE_PATH.test(file)) {
                failures.push({ property: "files", reason: `${JSON.stringify(file)} is not a relative path of letters, digits, _ . - and /.` });
            } else if (!isUploadedFile(file)) {
                failures.push({ property: "files", reason: `${file} is not a file the dashboard uploads ` +
                    `(${UPLOADED_FILE_KINDS.join(", ")}); the stage must never receive it.` });
            }
            if (typeof hash !== "string" || !SHA256_HEX.test(hash)) {
                failures.push({ property: "files", reason: `${file}: ${JSON.stringify(hash)} is not a SHA-256 in lower-case hex.` });
            }
            failures.push(...checkStatement("transfers", transfers[file]?.put), ...checkStatement("transfers", transfers[file]?.remove));
        }
        if (typeof news.mainFile !== "string" || !(news.mainFile in files)) {
            failures.push({ property: "mainFile", reason: `${JSON.stringify(news.mainFile)} is not among the files in ` +
                `${String(sourceDirectory)}; Streamlit starts the app from it, so add it to the folder's root.` });
        }
        const extra = Object.keys(transfers).filter((file) => !(file in files));
        if (extra.length > 0) {
            failures.push({ property: "transfers", reason: `statements for files that are not in files: ${extra.join(", ")}.` });
        }
    }
    return [...failures, ...checkStreamlitApp("app", news.app)];
}

/**
 * Uploads one file through the driver's PUT, after checking that the file still has the hash
 * the preview showed: otherwise the state would record content that was never uploaded.
 */
async function upload(session: Session, inputs: StreamlitFromFolderInputs, file: string): Promise<void> {
    const fs = require("fs");
    const crypto = require("crypto");
    const location = `${inputs.sourceDirectory}/${file}`;
    if (!fs.existsSync(location)) {
        throw new Error(`${location} is gone since the preview hashed it; run the update again.`);
    }
    const hash = crypto.createHash("sha256").update(fs.readFileSync(location)).digest("hex");
    if (hash !== inputs.files[file]) {
        throw new Error(`${location} changed since the preview hashed it (now SHA-256 ${hash}, ` +
            `expected ${inputs.files[file]}); run the update again.`);
    }
    const [result] = await session.run(inputs.transfers[file].put);
    const status = String(result?.status ?? "");
    if (status !== "UPLOADED" && status !== "SKIPPED") {
        throw new Error(`Uploading ${location} to ${inputs.stage.name} did not succeed (status ${status || "missing"}).`);
    }
}

async function urlId(session: Session, app: StreamlitApp): Promise<string | null> {
    return urlIdOf(await findStreamlitApp(session, app));
}

export const streamlitFromFolderKind: ResourceKind<StreamlitFromFolderInputs, StreamlitFromFolderOutputs> = {
    description: "the Streamlit app from the streamlit/ folder",
    properties: {
        // The stage and the app belong to the owner role: another role is other objects.
        ownerRole: "replace",
        stage: "replace",
        // Where this machine keeps the files says nothing about what is deployed.
        sourceDirectory: "none",
        transfers: "none",
        mainFile: "update",
        files: "update",
        app: "update",
    },
    check: checkInputs,
    session: (inputs) => ({ role: inputs.ownerRole }),

    async create(session, inputs, cleanup) {
        await session.run(inputs.stage.create);
        cleanup.onFailure(inputs.stage.drop);
        await session.run(inputs.stage.clear);
        for (const file of Object.keys(inputs.files).sort()) {
            await upload(session, inputs, file);
        }
        await deployStreamlitApp(session, inputs.app, cleanup);
        return { id: inputs.app.name, outs: { ...inputs, urlId: await urlId(session, inputs.app) } };
    },

    async read(session, _id, state) {
        const row = await findStreamlitApp(session, state.app);
        if (row === undefined) {
            return undefined;
        }
        // A file missing from the stage (or the whole stage) drops out of the state, so the next
        // update uploads it again.
        const listing = await session.tryRun(state.stage.list, (failure) => failure.code === OBJECT_MISSING);
        const prefix = new RegExp(`^[^/]+/${state.stage.directory.replace(/\$/g, "\\$")}/`);
        const staged = new Set(("rows" in listing ? listing.rows : []).map((entry) => String(entry.name ?? "").replace(prefix, "")));
        const files = Object.fromEntries(Object.entries(state.files).filter(([file]) => staged.has(file)));
        return { ...state, files, urlId: urlIdOf(row) };
    },

    async update(session, _id, olds, news, changed) {
        if (changed.length === 0) {
            return { ...news, urlId: olds.urlId };
        }
        const removed = Object.keys(olds.files).filter((file) => !(file in news.files));
        for (const file of removed) {
            await session.run(olds.transfers[file].remove);
        }
        // REMOVE matches by prefix: a kept file whose path starts with a removed one went too.
        const uploads = Object.keys(news.files).sort().filter((file) => news.files[file] !== olds.files[file] ||
            removed.some((gone) => file.startsWith(gone)));
        if (uploads.length > 0) {
            // In case the stage itself went missing since the last deployment.
            await session.run(news.stage.create);
        }
        for (const file of uploads) {
            await upload(session, news, file);
        }
        if (uploads.length > 0 || removed.length > 0 || changed.includes("app") || changed.includes("mainFile")) {
            await deployStreamlitApp(session, news.app);
            if (olds.app.name !== news.app.name) {
                await dropIfPresent(session, olds.app.drop);
            }
        }
        return { ...news, urlId: await urlId(session, news.app) };
    },

    async delete(session, _id, state) {
        await dropIfPresent(session, state.app.drop);
        await dropIfPresent(session, state.stage.drop);
    },
};

const provider = snowflakeProvider(streamlitFromFolderKind);

/** The resource's arguments: its resolved inputs, each of which may be an Output. */
export type StreamlitFromFolderArgs = { readonly [K in keyof StreamlitFromFolderInputs]: pulumi.Input<StreamlitFromFolderInputs[K]> };

/** See the module comment; build its args with `streamlitFromFolderInputs`. */
export class StreamlitFromFolder extends pulumi.dynamic.Resource {
    declare readonly app: pulumi.Output<StreamlitApp>;
    declare readonly files: pulumi.Output<Record<string, string>>;
    declare readonly urlId: pulumi.Output<string | null>;

    constructor(name: string, args: StreamlitFromFolderArgs, opts?: pulumi.CustomResourceOptions) {
        // The app's name is fixed, so a replacement must drop the old app before creating the new one.
        super(provider, name, { ...args, urlId: undefined }, { deleteBeforeReplace: true, ...opts },
            "wallmonitor", "StreamlitFromFolder");
    }
}
