import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { DASHBOARD_APP, gitApiIntegrationName, hashFolder } from "../../components/dashboardApp";
import { DEFAULTS } from "../../lib/config/stack";
import { ConnectionLimits } from "../../provider/connection";
import { Statement } from "../../provider/statements";
import { streamlitFromFolderInputs, StreamlitFromFolderInputs, streamlitFromFolderStatements } from "../../provider/streamlitFromFolder";
import {
    streamlitFromGitInputs, StreamlitFromGitInputs, StreamlitFromGitSettings, streamlitFromGitStatements,
} from "../../provider/streamlitFromGit";

/** Inputs for the Streamlit resources as the DashboardApp component renders them for the default config. */

export const FAST: ConnectionLimits = { attempts: 3, firstRetryDelayMs: 10, requestTimeoutMs: 5_000, statementTimeoutMs: 15_000 };
export const OWNER = DEFAULTS.ownerRole;
export const VIEWER = DEFAULTS.viewerRole;
export const ADMIN = DEFAULTS.adminRole;
export const SCHEMA = `${DEFAULTS.database}.${DEFAULTS.schema}`;
export const APP = `${SCHEMA}.${DASHBOARD_APP.streamlit}`;
export const STAGE = `${SCHEMA}.${DASHBOARD_APP.stage}`;
export const REPOSITORY = `${SCHEMA}.${DASHBOARD_APP.repository}`;
export const SECRET = `${SCHEMA}.${DASHBOARD_APP.secret}`;
export const INTEGRATION = gitApiIntegrationName(DEFAULTS);
export const REPOSITORY_URL = "https://github.com/acme/wallmonitor.git";
export const COMMIT = "0123456789abcdef0123456789abcdef01234567";

const common = {
    database: DEFAULTS.database,
    schema: DEFAULTS.schema,
    ownerRole: OWNER,
    viewerRole: VIEWER,
    queryWarehouse: DEFAULTS.warehouse,
    comment: DEFAULTS.comment,
    appName: DASHBOARD_APP.streamlit,
    title: DASHBOARD_APP.title,
    mainFile: DASHBOARD_APP.mainFile,
};

const createdFolders: string[] = [];

/** A folder with `files` (relative path -> content) in a new temporary directory; see removeAppFolders. */
export function appFolder(files: Record<string, string>): string {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), "wallmonitor-app-"));
    createdFolders.push(folder);
    writeFiles(folder, files);
    return folder;
}

/** Deletes every folder appFolder made. */
export function removeAppFolders(): void {
    for (const folder of createdFolders.splice(0)) {
        fs.rmSync(folder, { recursive: true, force: true });
    }
}

export function writeFiles(folder: string, files: Record<string, string>): void {
    for (const [file, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(folder, file)), { recursive: true });
        fs.writeFileSync(path.join(folder, file), content);
    }
}

/** The folder resource's settings but the folder and its files. */
export const FOLDER_SETTINGS = { ...common, stageName: DASHBOARD_APP.stage };

export function folderInputs(folder: string): StreamlitFromFolderInputs {
    return streamlitFromFolderInputs({ ...FOLDER_SETTINGS, sourceDirectory: folder, files: hashFolder(folder) });
}

export function gitInputs(overrides: Partial<StreamlitFromGitSettings> = {}, token?: string): StreamlitFromGitInputs {
    const inputs = streamlitFromGitInputs({
        ...common,
        adminRole: ADMIN,
        repositoryName: DASHBOARD_APP.repository,
        secretName: DASHBOARD_APP.secret,
        integrationName: INTEGRATION,
        repositoryUrl: REPOSITORY_URL,
        allowedPrefixes: ["https://github.com/acme/"],
        ref: "branches/main",
        appPath: "streamlit",
        username: "wallmonitor-deploy",
        withToken: token !== undefined,
        ...overrides,
    });
    return token === undefined ? inputs : { ...inputs, gitToken: token };
}

/** Every statement either source can run: the folder, and Git with and without a token. */
export function dashboardAppStatements(): Statement[] {
    const folder = streamlitFromFolderInputs({
        ...common, stageName: DASHBOARD_APP.stage, sourceDirectory: "/srv/wallmonitor/streamlit",
        files: { "streamlit_app.py": "0".repeat(64) },
    });
    return [
        ...streamlitFromFolderStatements(folder),
        ...streamlitFromGitStatements(gitInputs({}, "token-for-rendering-only")),
        ...streamlitFromGitStatements(gitInputs()),
    ];
}
