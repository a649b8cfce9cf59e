import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

import { WallmonitorConfig } from "../lib/config/stack";
import { childName } from "../lib/pulumi/naming";
import { isUploadedFile, StreamlitFromFolder, streamlitFromFolderInputs } from "../provider/streamlitFromFolder";
import { StreamlitFromGit, streamlitFromGitInputs } from "../provider/streamlitFromGit";

/** Snowflake names of the dashboard app's objects. */
export const DASHBOARD_APP = {
    streamlit: "WALLMONITOR_DASHBOARD",
    stage: "WALLMONITOR_STREAMLIT_STAGE",
    repository: "WALLMONITOR_GIT_REPOSITORY",
    secret: "WALLMONITOR_GIT_SECRET",
    title: "Wallmonitor",
    mainFile: "streamlit_app.py",
} as const;

/** The repository's own app folder, uploaded with dashboardSource folder. */
export const APP_FOLDER = path.resolve(__dirname, "..", "streamlit");

/** The API integration is an account object: named from the schema, so two deployments in one account never share it. */
export function gitApiIntegrationName(config: Pick<WallmonitorConfig, "database" | "schema">): string {
    return `${config.database}_${config.schema}_GIT_API`;
}

/**
 * SHA-256 (hex) of each file under `folder` that the app uploads (isUploadedFile: Python modules
 * and environment.yml), by relative path with `/`, sorted; none when the folder is missing. Any
 * other file, hidden folders and symbolic links (which could lead out of the folder) are
 * skipped without being read.
 */
export function hashFolder(folder: string): Record<string, string> {
    const hashes: Record<string, string> = {};
    const walk = (directory: string) => {
        for (const entry of fs.readdirSync(directory).sort()) {
            const full = path.join(directory, entry);
            const relative = path.relative(folder, full).split(path.sep).join("/");
            const stat = fs.lstatSync(full);
            if (stat.isDirectory()) {
                if (!entry.startsWith(".") && entry !== "__pycache__") {
                    walk(full);
                }
            } else if (stat.isFile() && isUploadedFile(relative)) {
                hashes[relative] = crypto.createHash("sha256").update(fs.readFileSync(full)).digest("hex");
            }
        }
    };
    if (fs.existsSync(folder)) {
        walk(folder);
    }
    return hashes;
}

/** What the app was built from, as the stack output shows it. */
export type DashboardSourceOutput =
    | { readonly kind: "folder"; readonly folder: string; readonly files: Readonly<Record<string, string>> }
    | { readonly kind: "git"; readonly repository: string; readonly ref: string; readonly commit?: string; readonly path: string };

export interface DashboardAppArgs {
    readonly config: WallmonitorConfig;
    /** The Git token (wallmonitor:gitToken) as a Pulumi secret; used only with dashboardSource git. */
    readonly gitToken?: pulumi.Input<string>;
    /** The folder uploaded with dashboardSource folder. Defaults to the repository's streamlit/ folder. */
    readonly appFolder?: string;
    /** The roles, the warehouse and the dashboards with the viewer's grants: the app reads those views. */
    readonly dependsOn?: pulumi.Resource[];
}

/**
 * The Streamlit dashboard: built from this repository's streamlit/ folder (uploaded to a stage)
 * or, with dashboardSource git, from a Git repository Snowflake fetches. Either way the owner
 * role owns the app and the viewer role may open it. Both are Wallmonitor's own dynamic
 * resources (provider/), since @pulumi/snowflake 1.3.0 builds only the legacy ROOT_LOCATION
 * app and has no Git repository or git_https_api integration.
 */
export class DashboardApp extends pulumi.ComponentResource {
    readonly app: StreamlitFromFolder | StreamlitFromGit;
    /** `DATABASE.SCHEMA.WALLMONITOR_DASHBOARD`. */
    readonly appName: string;
    readonly source: pulumi.Output<DashboardSourceOutput>;
    /** Snowflake's URL id for the app (SHOW STREAMLITS `url_id`); known after deployment. */
    readonly urlId: pulumi.Output<string | null>;

    constructor(name: string, args: DashboardAppArgs, opts?: pulumi.ComponentResourceOptions) {
        super("wallmonitor:app:DashboardApp", name, {}, opts);
        const { config } = args;
        const common = {
            database: config.database,
            schema: config.schema,
            ownerRole: config.ownerRole,
            viewerRole: config.viewerRole,
            queryWarehouse: config.warehouse,
            comment: config.comment,
            appName: DASHBOARD_APP.streamlit,
            title: DASHBOARD_APP.title,
            mainFile: DASHBOARD_APP.mainFile,
        };
        const childOpts = { parent: this, dependsOn: args.dependsOn };
        const resourceName = childName(name, DASHBOARD_APP.streamlit);

        if (config.dashboardSource === "git") {
            const repositoryUrl = config.gitRepositoryUrl!;
            const inputs = streamlitFromGitInputs({
                ...common,
                adminRole: config.adminRole,
                repositoryName: DASHBOARD_APP.repository,
                secretName: DASHBOARD_APP.secret,
                integrationName: gitApiIntegrationName(config),
                repositoryUrl,
                allowedPrefixes: config.gitAllowedPrefixes!,
                ref: config.gitRef,
                commit: config.gitCommit,
                appPath: config.gitAppPath,
                username: config.gitUsername,
                withToken: args.gitToken !== undefined,
                acceptReadableBindValues: config.acceptReadableBindValues,
            });
            this.app = new StreamlitFromGit(resourceName, {
                ...inputs,
                gitToken: args.gitToken === undefined ? undefined : pulumi.secret(args.gitToken),
            }, childOpts);
            this.source = pulumi.output({
                kind: "git" as const, repository: repositoryUrl, ref: config.gitRef, commit: config.gitCommit, path: config.gitAppPath,
            });
        } else {
            const folder = args.appFolder ?? APP_FOLDER;
            const files = hashFolder(folder);
            this.app = new StreamlitFromFolder(resourceName, streamlitFromFolderInputs({
                ...common,
                stageName: DASHBOARD_APP.stage,
                sourceDirectory: folder,
                files,
            }), childOpts);
            this.source = pulumi.output({ kind: "folder" as const, folder: path.relative(process.cwd(), folder) || ".", files });
        }
        this.appName = `${config.database}.${config.schema}.${DASHBOARD_APP.streamlit}`;
        this.urlId = this.app.urlId;

        this.registerOutputs({ appName: this.appName, source: this.source, urlId: this.urlId });
    }
}
