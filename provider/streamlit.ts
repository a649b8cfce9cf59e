import { ident, literal } from "../lib/sql/render";
import { Row, Session } from "./connection";
import { checkIdentifier, checkStatement, CheckFailure, Cleanup } from "./resource";
import { providerStatement, Statement } from "./statements";

/**
 * The Streamlit app object both dashboard sources end in (files from a Git repository clone,
 * or from a stage the repository's streamlit/ folder was uploaded to): created with the modern
 * `FROM` form, given a live version, and opened to the viewer role. Every (re)deploy is
 * `CREATE OR REPLACE`, since Snowflake copies the files only at CREATE.
 */

export interface StreamlitApp {
    /** `DATABASE.SCHEMA.NAME`; the resource's id. */
    readonly name: string;
    readonly viewerRole: string;
    readonly create: Statement;
    readonly addLiveVersion: Statement;
    readonly grantUsage: Statement;
    readonly show: Statement;
    readonly drop: Statement;
}

export interface StreamlitAppSettings {
    readonly database: string;
    readonly schema: string;
    /** The app's object name, such as WALLMONITOR_DASHBOARD. */
    readonly name: string;
    /** `@<stage or repository>/<path>`, the folder the files are copied from. */
    readonly sourceLocation: string;
    /** Entry point at the root of the source location, such as streamlit_app.py. */
    readonly mainFile: string;
    readonly queryWarehouse: string;
    readonly title: string;
    readonly viewerRole: string;
    readonly comment: string;
}

/** Renders the app's statements (program side). */
export function streamlitAppStatements(args: StreamlitAppSettings): StreamlitApp {
    const streamlit = ident(args.database, args.schema, args.name);
    return {
        name: streamlit.identifier,
        viewerRole: args.viewerRole,
        create: providerStatement("streamlit/create_streamlit", {
            STREAMLIT: streamlit,
            SOURCE_LOCATION: literal(args.sourceLocation),
            MAIN_FILE: literal(args.mainFile),
            WAREHOUSE: ident(args.queryWarehouse),
            TITLE: literal(args.title),
            COMMENT: literal(args.comment),
        }),
        addLiveVersion: providerStatement("streamlit/add_streamlit_live_version", { STREAMLIT: streamlit }),
        grantUsage: providerStatement("streamlit/grant_streamlit_usage", { STREAMLIT: streamlit, ROLE: ident(args.viewerRole) }),
        show: providerStatement("streamlit/show_streamlit", { NAME: literal(args.name), SCHEMA: ident(args.database, args.schema) }),
        drop: providerStatement("streamlit/drop_streamlit", { STREAMLIT: streamlit }),
    };
}

/** Every statement of the app, for tests and plans. */
export function streamlitAppStatementList(app: StreamlitApp): Statement[] {
    return [app.create, app.addLiveVersion, app.grantUsage, app.show, app.drop];
}

/** Check failures for a rendered app. */
export function checkStreamlitApp(property: string, value: unknown): CheckFailure[] {
    const app = (value ?? {}) as Partial<StreamlitApp>;
    const failures: CheckFailure[] = [];
    if (typeof app.name !== "string" || !/^[A-Z_][A-Z0-9_$]*\.[A-Z_][A-Z0-9_$]*\.[A-Z_][A-Z0-9_$]*$/.test(app.name)) {
        failures.push({ property, reason: `${JSON.stringify(app.name)} is not a DATABASE.SCHEMA.NAME of unquoted UPPERCASE ` +
            "identifiers; render the app with streamlitAppStatements()." });
    }
    failures.push(...checkIdentifier({ [property]: app.viewerRole }, property, "SFE_WALLMONITOR_VIEWER")
        .map((failure) => ({ property, reason: `viewerRole: ${failure.reason}` })));
    for (const key of ["create", "addLiveVersion", "grantUsage", "show", "drop"] as const) {
        failures.push(...checkStatement(property, app[key]));
    }
    return failures;
}

/**
 * Creates (or replaces) the app from its source location, makes that the live version, and
 * grants the viewer role usage. A failed create drops the app again.
 */
export async function deployStreamlitApp(session: Session, app: StreamlitApp, cleanup?: Cleanup): Promise<void> {
    await session.run(app.create);
    cleanup?.onFailure(app.drop);
    await session.run(app.addLiveVersion);
    await session.run(app.grantUsage);
}

/** The app's SHOW STREAMLITS row, or undefined when the app does not exist. */
export async function findStreamlitApp(session: Session, app: StreamlitApp): Promise<Row | undefined> {
    const objectName = app.name.split(".").pop();
    return (await session.run(app.show)).find((row) => row.name === objectName);
}

/** Snowflake's URL id for the app (`url_id` of SHOW STREAMLITS), or null where it reports none. */
export function urlIdOf(row: Row | undefined): string | null {
    return typeof row?.url_id === "string" && row.url_id !== "" ? row.url_id : null;
}
