import { ident, renderSql, SqlValue } from "../lib/sql/render";

/**
 * One SQL statement a dynamic resource runs, rendered at program time from a file in
 * sql/provider/ and passed to the resource as a plain input. So a preview shows every change
 * to the SQL, and the provider code, which runs in another process, never reads a file.
 */
export interface Statement {
    /** The template it came from, relative to sql/; named in error messages. */
    readonly file: string;
    readonly text: string;
}

/** Renders sql/provider/<name>.sql; refuses more than one statement, since each runs in its own execute. */
export function providerStatement(name: string, values: Readonly<Record<string, SqlValue>>): Statement {
    const file = `provider/${name}.sql`;
    const { text } = renderSql(file, values);
    const code = text.split("\n").filter((line) => !line.trimStart().startsWith("--")).join("\n");
    if (code.replace(/;\s*$/, "").includes(";")) {
        throw new Error(`${file} holds more than one statement; the provider runs one statement per execute, ` +
            "so split it into one file per statement.");
    }
    return { file, text };
}

/** The inputs of a resource that runs account-level statements as the admin role and everything in the schema as the owner role, in one session. */
export interface RoleSwitches {
    readonly ownerRole: string;
    readonly adminRole: string;
    readonly useOwnerRole: Statement;
    readonly useAdminRole: Statement;
}

/** `USE ROLE` for the owner and the admin role, rendered from sql/provider/<file>.sql. */
export function roleSwitches(ownerRole: string, adminRole: string, file = "use_role"): RoleSwitches {
    return {
        ownerRole,
        adminRole,
        useOwnerRole: providerStatement(file, { ROLE: ident(ownerRole) }),
        useAdminRole: providerStatement(file, { ROLE: ident(adminRole) }),
    };
}
