import { expect } from "chai";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

import { hashFolder } from "../../components/dashboardApp";
import { PROJECT_ROOT } from "../../plan/offline";
import { listSqlFiles } from "../../lib/sql/render";
import { ACCESS_URL_ENV, driverText } from "../../provider/connection";
import { snowflakeProvider } from "../../provider/resource";
import {
    isUploadedFile, streamlitFromFolderInputs, StreamlitFromFolderInputs, streamlitFromFolderKind, StreamlitFromFolderOutputs,
    streamlitFromFolderStatements,
} from "../../provider/streamlitFromFolder";
import { configureAgainstFake, FakeSnowflake, insufficientPrivileges, objectMissing } from "../fakes/snowflakeServer";
import { APP, appFolder, FAST, FOLDER_SETTINGS, folderInputs, OWNER, removeAppFolders, SCHEMA, STAGE, VIEWER, writeFiles } from "./streamlitFixtures";

const APP_FOLDER = `@${STAGE}/WALLMONITOR_DASHBOARD`;
const FILES = {
    "streamlit_app.py": "import streamlit as st\nst.title('Wallmonitor')\n",
    "pages/1_Agents.py": "import streamlit as st\nst.header('Agents')\n",
    "environment.yml": "name: app_environment\ndependencies:\n  - snowflake-snowpark-python\n",
};
const sha256 = (content: string) => crypto.createHash("sha256").update(content).digest("hex");

const SQL = {
    createStage: `CREATE STAGE IF NOT EXISTS ${STAGE}\n    DIRECTORY = (ENABLE = TRUE)\n    ENCRYPTION = (TYPE = 'SNOWFLAKE_SSE')\n` +
        "    COMMENT = 'Managed by Wallmonitor (Pulumi)'",
    clear: `REMOVE '${APP_FOLDER}/'`,
    put: (folder: string, file: string) => {
        const directory = path.posix.dirname(file);
        return `PUT 'file://${folder}/${file}' '${directory === "." ? APP_FOLDER : `${APP_FOLDER}/${directory}`}' ` +
            "AUTO_COMPRESS = FALSE OVERWRITE = TRUE";
    },
    remove: (file: string) => `REMOVE '${APP_FOLDER}/${file}'`,
    createApp: `CREATE OR REPLACE STREAMLIT ${APP}\n    FROM '${APP_FOLDER}'\n    MAIN_FILE = 'streamlit_app.py'\n` +
        "    QUERY_WAREHOUSE = SFE_WALLMONITOR_WH\n    TITLE = 'Wallmonitor'\n    COMMENT = 'Managed by Wallmonitor (Pulumi)'",
    liveVersion: `ALTER STREAMLIT ${APP} ADD LIVE VERSION FROM LAST`,
    grant: `GRANT USAGE ON STREAMLIT ${APP} TO ROLE ${VIEWER}`,
    show: `SHOW STREAMLITS LIKE 'WALLMONITOR_DASHBOARD' IN SCHEMA ${SCHEMA}`,
    list: `LIST '${APP_FOLDER}/'`,
    dropApp: `DROP STREAMLIT IF EXISTS ${APP}`,
    dropStage: `DROP STAGE IF EXISTS ${STAGE}`,
};
const DEPLOY = [SQL.createApp, SQL.liveVersion, SQL.grant, SQL.show];
/** What SHOW STREAMLITS answers for the deployed app. */
const SHOWN = { columns: ["name", "database_name", "schema_name", "title", "owner", "url_id"],
    rows: [["WALLMONITOR_DASHBOARD", "SNOWFLAKE_EXAMPLE", "WALLMONITOR", "Wallmonitor", OWNER, "x7kq2abc3defgh4ij5kl"]] };

async function rejection(promise: Promise<unknown>): Promise<Error> {
    try {
        await promise;
    } catch (error) {
        return error as Error;
    }
    throw new Error("expected a failure, but it succeeded");
}

after(removeAppFolders);

describe("Streamlit from the folder: its SQL", () => {
    it("comes from sql/provider/streamlit/, one statement each, with a PUT per file", () => {
        const folder = appFolder(FILES);
        const statements = streamlitFromFolderStatements(folderInputs(folder));
        const streamlitFiles = listSqlFiles().filter((file) => file.startsWith("provider/streamlit/"));
        for (const statement of statements) {
            expect(streamlitFiles, statement.file).to.include(statement.file);
            expect(statement.text.replace(/^--.*\n/gm, ""), statement.file).not.to.include(";");
        }
        const puts = statements.filter((statement) => statement.file === "provider/streamlit/put_file.sql");
        expect(puts.map(driverText)).to.deep.equal(Object.keys(FILES).sort().map((file) => SQL.put(folder, file)));
    });

    it("hashes every file but caches, by relative path", () => {
        const folder = appFolder({ ...FILES, "__pycache__/x.cpython-311.pyc": "\u0000", "pages/__pycache__/y.pyc": "\u0000" });
        expect(hashFolder(folder)).to.deep.equal(Object.fromEntries(Object.keys(FILES).sort().map((file) => [file, sha256(FILES[file as keyof typeof FILES])])));
        expect(hashFolder(path.join(folder, "missing"))).to.deep.equal({});
    });

    it("refuses a file name a statement cannot carry, naming the file", () => {
        const folder = appFolder({ "streamlit_app.py": "x", "it's.py": "y" });
        expect(() => folderInputs(folder)).to.throw(/it's\.py: a file name the dashboard uploads may hold only letters/);
    });
});

describe("Streamlit from the folder: check and diff", () => {
    const provider = snowflakeProvider(streamlitFromFolderKind, FAST);
    const folder = appFolder(FILES);
    const inputs = folderInputs(folder);
    const state = (): StreamlitFromFolderOutputs => ({ ...folderInputs(folder), urlId: "x7kq2abc3defgh4ij5kl" });

    it("accepts the inputs the program renders", async () => {
        expect(await provider.check!(inputs, inputs)).to.deep.equal({ inputs });
    });

    it("fails a folder without the app's main file, saying what to add", async () => {
        const withoutMain = folderInputs(appFolder({ "pages/1_Agents.py": "x" }));
        const result = await provider.check!(inputs, withoutMain);
        expect(result.failures?.map((failure) => failure.property)).to.deep.equal(["mainFile"]);
        expect(result.failures?.[0].reason).to.match(/"streamlit_app\.py" is not among the files in .*; Streamlit starts the app from it/);
        const empty = await provider.check!(inputs, folderInputs(appFolder({})));
        expect(empty.failures?.[0]).to.deep.include({ property: "files" });
    });

    it("names the property for a bad hash, a relative folder and hand-written SQL", async () => {
        const result = await provider.check!(inputs, {
            ...inputs,
            sourceDirectory: "streamlit",
            files: { ...inputs.files, "environment.yml": "not-a-hash" },
            app: { ...inputs.app, grantUsage: { file: "inline", text: "GRANT ALL ON ACCOUNT TO ROLE PUBLIC" } },
        });
        expect(result.failures?.map((failure) => failure.property)).to.deep.equal(["sourceDirectory", "files", "app"]);
        expect(result.failures?.[2].reason).to.include("render it in the program instead of writing SQL by hand");
    });

    it("reports no change when nothing was deployed differently, so a second `pulumi up` does nothing", async () => {
        expect(await provider.diff!(APP, { ...state(), __provider: "old code" } as StreamlitFromFolderOutputs,
            { ...inputs, __provider: "new code" } as StreamlitFromFolderInputs))
            .to.deep.equal({ changes: false, replaces: [] });
    });

    it("reports no change for the same files read from another checkout", async () => {
        const elsewhere = appFolder(FILES);
        expect(await provider.diff!(APP, state(), folderInputs(elsewhere))).to.deep.equal({ changes: false, replaces: [] });
    });

    it("shows a changed, added or removed file as an update of files", async () => {
        const changed = appFolder({ ...FILES, "pages/1_Agents.py": "st.header('Agents and costs')\n" });
        expect(await provider.diff!(APP, state(), folderInputs(changed))).to.deep.equal({ changes: true, replaces: [] });
        const { "environment.yml": _removed, ...fewer } = FILES;
        expect(await provider.diff!(APP, state(), folderInputs(appFolder(fewer)))).to.deep.equal({ changes: true, replaces: [] });
    });

    it("replaces the app when its stage or owner changes", async () => {
        const news = { ...inputs, ownerRole: "OTHER_OWNER", stage: { ...inputs.stage, name: `${SCHEMA}.OTHER_STAGE` } };
        expect(await provider.diff!(APP, state(), news)).to.deep.equal({ changes: true, replaces: ["ownerRole", "stage"] });
    });

    it("leaves values unknown at preview time to the next check", async () => {
        const result = await provider.check!(inputs, { ...inputs, ownerRole: pulumi.runtime.unknownValue });
        expect(result.failures).to.equal(undefined);
    });
});

describe("Streamlit from the folder against a fake Snowflake, through the driver's PUT", () => {
    let fake: FakeSnowflake;
    const provider = snowflakeProvider(streamlitFromFolderKind, FAST);
    const PASSWORD = "deployer password 42";
    // The driver's LOCAL_FS upload sets the process umask to 0; put it back after each test.
    const umask = process.umask();

    before(async () => {
        fake = await FakeSnowflake.start();
        await configureAgainstFake(fake, provider, "DEPLOYER", PASSWORD);
    });
    beforeEach(() => fake.on(/^SHOW STREAMLITS/, SHOWN));
    afterEach(() => {
        fake.reset();
        fake.clearStages();
        process.umask(umask);
    });
    after(async () => {
        delete process.env[ACCESS_URL_ENV];
        await fake.stop();
        expect(fs.existsSync(path.join(PROJECT_ROOT, "snowflake.log")), "snowflake.log left behind").to.equal(false);
    });

    const uploadsOf = (folder: string, files: string[]) => files.map((file) => SQL.put(folder, file));
    const staged = () => fake.stagedFiles(STAGE);

    it("creates the stage as the owner role, uploads every file, then the app, its live version and the viewer's usage", async () => {
        const folder = appFolder(FILES);
        const result = await provider.create(folderInputs(folder));
        expect(fake.sql).to.deep.equal([SQL.createStage, SQL.clear,
            ...uploadsOf(folder, ["environment.yml", "pages/1_Agents.py", "streamlit_app.py"]), ...DEPLOY]);
        expect(fake.logins.map((login) => [login.user, login.role])).to.deep.equal([["DEPLOYER", OWNER]]);
        expect(staged()).to.deep.equal(Object.fromEntries(Object.entries(FILES).map(([file, content]) => [`WALLMONITOR_DASHBOARD/${file}`, content])));
        expect(result.id).to.equal(APP);
        expect(result.outs).to.include({ urlId: "x7kq2abc3defgh4ij5kl" });
        expect(result.outs!.files).to.deep.equal(folderInputs(folder).files);
    });

    it("ends in the same state when create runs again with the same inputs, and an update without changes runs nothing", async () => {
        const folder = appFolder(FILES);
        const first = await provider.create(folderInputs(folder));
        const stagedFirst = staged();
        const sqlFirst = [...fake.sql];
        fake.reset();
        fake.on(/^SHOW STREAMLITS/, SHOWN);
        const second = await provider.create(folderInputs(folder));
        expect(fake.sql).to.deep.equal(sqlFirst);
        expect(staged()).to.deep.equal(stagedFirst);
        expect(second.outs).to.deep.equal(first.outs);
        fake.reset();
        const updated = await provider.update!(APP, second.outs!, folderInputs(folder));
        expect(fake.sql).to.deep.equal([]);
        expect(updated.outs).to.deep.equal(second.outs);
    });

    it("uploads only a changed file on update, then makes a new live version", async () => {
        const folder = appFolder(FILES);
        const { outs } = await provider.create(folderInputs(folder));
        fake.reset();
        fake.on(/^SHOW STREAMLITS/, SHOWN);
        writeFiles(folder, { "pages/1_Agents.py": "import streamlit as st\nst.header('Agents and costs')\n" });
        await provider.update!(APP, outs!, folderInputs(folder));
        expect(fake.sql).to.deep.equal([SQL.createStage, ...uploadsOf(folder, ["pages/1_Agents.py"]), ...DEPLOY]);
        expect(staged()["WALLMONITOR_DASHBOARD/pages/1_Agents.py"]).to.include("Agents and costs");
    });

    it("removes a deleted file from the stage, and uploads again a kept file the prefix match removed too", async () => {
        const folder = appFolder({ ...FILES, "pages/1_Agents.py_v2.py": "notes = 1\n" });
        const { outs } = await provider.create(folderInputs(folder));
        fake.reset();
        fake.on(/^SHOW STREAMLITS/, SHOWN);
        fs.rmSync(path.join(folder, "pages/1_Agents.py"));
        const { outs: updated } = await provider.update!(APP, outs!, folderInputs(folder));
        expect(fake.sql).to.deep.equal([SQL.remove("pages/1_Agents.py"), SQL.createStage, ...uploadsOf(folder, ["pages/1_Agents.py_v2.py"]),
            ...DEPLOY]);
        expect(Object.keys(staged()).sort()).to.deep.equal([
            "WALLMONITOR_DASHBOARD/environment.yml", "WALLMONITOR_DASHBOARD/pages/1_Agents.py_v2.py", "WALLMONITOR_DASHBOARD/streamlit_app.py",
        ]);
        expect(Object.keys(updated!.files)).not.to.include("pages/1_Agents.py");
    });

    it("refuses to upload a file that changed after the preview hashed it", async () => {
        const folder = appFolder(FILES);
        const previewed = folderInputs(folder);
        writeFiles(folder, { "streamlit_app.py": "changed after the preview\n" });
        const error = await rejection(provider.create(previewed));
        expect(error.message).to.match(new RegExp(`${folder}/streamlit_app\\.py changed since the preview hashed it .*run the update again`));
        expect(error.message).to.include("Creating the Streamlit app from the streamlit/ folder failed half-way; undone: provider/streamlit/drop_stage.sql");
        expect(fake.sql).to.deep.equal([SQL.createStage, SQL.clear, ...uploadsOf(folder, ["environment.yml", "pages/1_Agents.py"]), SQL.dropStage]);
    });

    it("cleans up the app and the stage when a create fails half-way, naming the statement and the code", async () => {
        const folder = appFolder(FILES);
        fake.on(/^GRANT USAGE ON STREAMLIT/, objectMissing(`Role '${VIEWER}'`));
        const error = await rejection(provider.create(folderInputs(folder)));
        expect(error.message).to.include("Snowflake statement provider/streamlit/grant_streamlit_usage.sql failed (error 002003, SQLSTATE 02000)")
            .and.to.include(SQL.grant)
            .and.to.include("undone: provider/streamlit/drop_streamlit.sql; undone: provider/streamlit/drop_stage.sql");
        expect(error.message).not.to.include(PASSWORD);
        expect(fake.sql.slice(-4)).to.deep.equal([SQL.liveVersion, SQL.grant, SQL.dropApp, SQL.dropStage]);
    });

    it("fails fast on a PUT the owner role may not make", async () => {
        fake.on(/^PUT /, insufficientPrivileges(`stage ${STAGE}`));
        const folder = appFolder(FILES);
        const error = await rejection(provider.create(folderInputs(folder)));
        expect(error.message).to.match(/provider\/streamlit\/put_file\.sql failed \(error 003001, SQLSTATE 42501\)/);
        expect(fake.logins).to.have.length(1);
    });

    it("refreshes from SHOW STREAMLITS and LIST: a file gone from the stage drops out, so the next update uploads it", async () => {
        const folder = appFolder(FILES);
        const { outs } = await provider.create(folderInputs(folder));
        fs.rmSync(path.join(fake.stageRoot, STAGE, "WALLMONITOR_DASHBOARD", "environment.yml"));
        fake.reset();
        fake.on(/^SHOW STREAMLITS/, SHOWN);
        const read = await provider.read!(APP, outs!);
        expect(fake.sql).to.deep.equal([SQL.show, SQL.list]);
        expect(Object.keys(read.props!.files).sort()).to.deep.equal(["pages/1_Agents.py", "streamlit_app.py"]);
        expect(await provider.diff!(APP, read.props!, folderInputs(folder))).to.deep.equal({ changes: true, replaces: [] });
        fake.reset();
        fake.on(/^SHOW STREAMLITS/, SHOWN);
        await provider.update!(APP, read.props!, folderInputs(folder));
        expect(fake.sql).to.deep.equal([SQL.createStage, ...uploadsOf(folder, ["environment.yml"]), ...DEPLOY]);
    });

    it("refreshes a missing stage as no files, and the next update creates it and uploads them all", async () => {
        const folder = appFolder(FILES);
        const { outs } = await provider.create(folderInputs(folder));
        fake.reset();
        fake.clearStages();
        fake.on(/^SHOW STREAMLITS/, SHOWN);
        fake.on(/^LIST /, objectMissing(`Stage '${STAGE}'`));
        const read = await provider.read!(APP, outs!);
        expect(read.props!.files).to.deep.equal({});
        fake.reset();
        fake.on(/^SHOW STREAMLITS/, SHOWN);
        await provider.update!(APP, read.props!, folderInputs(folder));
        expect(fake.sql).to.deep.equal([SQL.createStage, ...uploadsOf(folder, ["environment.yml", "pages/1_Agents.py", "streamlit_app.py"]),
            ...DEPLOY]);
        expect(Object.keys(staged())).to.have.length(3);
    });

    it("reads an app that is gone as gone", async () => {
        const folder = appFolder(FILES);
        const state = { ...folderInputs(folder), urlId: null } as StreamlitFromFolderOutputs;
        fake.reset();
        expect(await provider.read!(APP, state)).to.deep.equal({});
    });

    it("drops the app and the stage on delete, and succeeds when they, or their schema, are already gone", async () => {
        const folder = appFolder(FILES);
        const state: StreamlitFromFolderOutputs = { ...folderInputs(folder), urlId: null };
        await provider.delete!(APP, state);
        fake.on(/^DROP /, objectMissing(`Schema '${SCHEMA}'`));
        await provider.delete!(APP, state);
        expect(fake.sql).to.deep.equal([SQL.dropApp, SQL.dropStage, SQL.dropApp, SQL.dropStage]);
    });
});

/** Files an app folder may hold on a developer's machine and that must never reach the stage. */
const NOT_UPLOADED = {
    ".env": "SNOWFLAKE_PASSWORD=hunter2\n",
    ".streamlit/secrets.toml": "[connections.snowflake]\npassword = 'hunter2'\n",
    ".streamlit/config.toml": "[theme]\nbase = 'dark'\n",
    "rsa_key.p8": "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n",
    "pages/id_rsa": "-----BEGIN OPENSSH PRIVATE KEY-----\n",
    "dashboard/.env.local": "TOKEN=abc\n",
    "notes.txt": "todo\n",
    "secrets.toml": "password = 'hunter2'\n",
    "analysis.ipynb": "{}\n",
    "pages/environment.yml": "name: nested\n",
    "__pycache__/streamlit_app.cpython-311.pyc": "\u0000",
    ".venv/lib/site.py": "import os\n",
};

describe("Streamlit from the folder: only the app's own files leave the machine (an allowlist)", () => {
    const provider = snowflakeProvider(streamlitFromFolderKind, FAST);

    it("allows Python modules anywhere and environment.yml at the root, nothing else", () => {
        for (const file of ["streamlit_app.py", "pages/1_Agents.py", "dashboard/queries.py", "environment.yml"]) {
            expect(isUploadedFile(file), file).to.equal(true);
        }
        for (const file of Object.keys(NOT_UPLOADED)) {
            expect(isUploadedFile(file), file).to.equal(false);
        }
    });

    it("never reads or hashes a .env, secrets.toml, key file or any other file not on the list", () => {
        const folder = appFolder({ ...FILES, ...NOT_UPLOADED });
        const read: string[] = [];
        const fsModule = require("fs") as typeof fs;
        const original = fsModule.readFileSync;
        fsModule.readFileSync = ((file: fs.PathOrFileDescriptor, ...rest: unknown[]) => {
            read.push(path.relative(folder, String(file)).split(path.sep).join("/"));
            return (original as (...args: unknown[]) => unknown)(file, ...rest);
        }) as typeof fs.readFileSync;
        let hashes: Record<string, string>;
        try {
            hashes = hashFolder(folder);
        } finally {
            fsModule.readFileSync = original;
        }
        expect(Object.keys(hashes).sort()).to.deep.equal(Object.keys(FILES).sort());
        expect(read.sort()).to.deep.equal(Object.keys(FILES).sort());
    });

    it("does not follow a symbolic link out of the folder, even one named like a module", () => {
        const outside = appFolder({ "id_rsa": "-----BEGIN OPENSSH PRIVATE KEY-----\n" });
        const folder = appFolder(FILES);
        fs.symlinkSync(path.join(outside, "id_rsa"), path.join(folder, "key.py"));
        fs.symlinkSync(outside, path.join(folder, "linked"), "dir");
        expect(Object.keys(hashFolder(folder)).sort()).to.deep.equal(Object.keys(FILES).sort());
    });

    it("refuses inputs naming a file outside the list, in the program and in the provider's check", async () => {
        const folder = appFolder(FILES);
        const inputs = folderInputs(folder);
        const sneaked = { ...inputs, files: { ...inputs.files, ".env": inputs.files["streamlit_app.py"] },
            transfers: { ...inputs.transfers, ".env": inputs.transfers["streamlit_app.py"] } };
        const result = await provider.check!(inputs, sneaked);
        expect(result.failures).to.deep.equal([{ property: "files", reason: ".env is not a file the dashboard uploads " +
            "(*.py (any folder), environment.yml (the folder's root)); the stage must never receive it." }]);
        expect(() => streamlitFromFolderInputs({ ...FOLDER_SETTINGS, sourceDirectory: folder, files: { ...inputs.files, "notes.txt": inputs.files["streamlit_app.py"] } }))
            .to.throw(/notes\.txt is not a file the dashboard uploads .*it stays on this machine/);
    });

    describe("against a fake Snowflake", () => {
        let fake: FakeSnowflake;
        const umask = process.umask();
        before(async () => {
            fake = await FakeSnowflake.start();
            await configureAgainstFake(fake, provider, "DEPLOYER", "deployer password 42");
        });
        after(async () => {
            delete process.env[ACCESS_URL_ENV];
            await fake.stop();
            process.umask(umask);
        });

        it("puts on the stage only the app's files when the folder also holds secrets, and never names the others", async () => {
            fake.on(/^SHOW STREAMLITS/, SHOWN);
            const folder = appFolder({ ...FILES, ...NOT_UPLOADED });
            await provider.create(folderInputs(folder));
            expect(Object.keys(fake.stagedFiles(STAGE)).sort()).to.deep.equal(Object.keys(FILES).sort().map((file) => `WALLMONITOR_DASHBOARD/${file}`));
            const sql = fake.sql.join("\n");
            for (const file of Object.keys(NOT_UPLOADED)) {
                expect(sql, file).not.to.include(`${folder}/${file}'`);
            }
            expect(sql).not.to.include("hunter2");
        });
    });
});
