import type { Row, Session } from "../provider/connection";
import { SnowflakeError } from "../provider/errors";
import type { Statement } from "../provider/statements";

/**
 * The one way the doctor sends SQL. It runs read-only statements only: SHOW, DESCRIBE, SELECT,
 * EXPLAIN (which compiles a statement and executes nothing,
 * https://docs.snowflake.com/en/sql-reference/sql/explain) and `USE SECONDARY ROLES NONE`
 * (a session setting, so that a check sees one role's privileges alone,
 * https://docs.snowflake.com/en/sql-reference/sql/use-secondary-roles). Anything else is refused
 * before it reaches Snowflake, so no check can create, alter or grant anything.
 */

export class ReadOnlyRefusal extends Error {
    constructor(readonly statement: Statement, reason: string) {
        super(`doctor refused ${statement.file}: ${reason}; it runs only SHOW, DESCRIBE, SELECT, EXPLAIN and USE SECONDARY ROLES NONE`);
        this.name = "ReadOnlyRefusal";
    }
}

/** Comments, string literals and quoted identifiers removed, in one pass: what decides what the statement does. */
export function codeOf(text: string): string {
    let out = "";
    let index = 0;
    const skipTo = (end: string, from: number) => {
        const found = text.indexOf(end, from);
        return found === -1 ? text.length : found + end.length;
    };
    while (index < text.length) {
        const rest = text.slice(index, index + 2);
        const char = text[index];
        if (rest === "--" || rest === "//") {
            index = skipTo("\n", index);
            out += " ";
        } else if (rest === "/*") {
            index = skipTo("*/", index + 2);
            out += " ";
        } else if (rest === "$$") {
            index = skipTo("$$", index + 2);
            out += "''";
        } else if (char === "'" || char === "\"") {
            let end = index + 1;
            while (end < text.length) {
                if (char === "'" && text[end] === "\\") {
                    end += 2;
                } else if (text[end] === char && text[end + 1] === char) {
                    end += 2;
                } else if (text[end] === char) {
                    break;
                } else {
                    end += 1;
                }
            }
            index = end + 1;
            out += char + char;
        } else {
            out += char;
            index += 1;
        }
    }
    return out.replace(/\s+/g, " ").trim().replace(/;$/, "").trim();
}

/**
 * Why `text` is not read-only, or undefined when it is. A SELECT may still act through a
 * function: `SYSTEM$` functions (SYSTEM$SEND_EMAIL, SYSTEM$ABORT_SESSION, ...) and a sequence's
 * NEXTVAL are refused.
 */
export function notReadOnly(text: string): string | undefined {
    const sql = codeOf(text);
    if (sql === "") {
        return "it is empty";
    }
    if (sql.includes(";")) {
        return "it holds more than one statement";
    }
    const upper = sql.toUpperCase();
    if (/^EXPLAIN\b/.test(upper)) {
        return undefined;
    }
    if (/^USE SECONDARY ROLES NONE$/.test(upper)) {
        return undefined;
    }
    if (/^(SHOW|DESC|DESCRIBE)\b/.test(upper)) {
        return undefined;
    }
    if (/^SELECT\b/.test(upper)) {
        if (/\bSYSTEM\$/.test(upper)) {
            return "a SYSTEM$ function can act on the account";
        }
        if (/\.NEXTVAL\b/.test(upper)) {
            return "NEXTVAL advances a sequence";
        }
        return undefined;
    }
    return `it starts with ${upper.split(" ")[0]}`;
}

/**
 * A session that runs only read-only statements. The only binds it sends are NULLs, and only to
 * EXPLAIN: no value of any kind leaves the doctor in a bind.
 */
export class ReadOnlySession {
    constructor(private readonly session: Session) {}

    async query(statement: Statement, nullBinds = 0): Promise<Row[]> {
        const reason = notReadOnly(statement.text);
        if (reason !== undefined) {
            throw new ReadOnlyRefusal(statement, reason);
        }
        if (nullBinds > 0 && !/^EXPLAIN\b/i.test(codeOf(statement.text))) {
            throw new ReadOnlyRefusal(statement, "binds are sent only to EXPLAIN, and only as NULL");
        }
        // snowflake-sdk sends a null bind as SQL NULL; the Session type names the string binds the provider sends.
        return this.session.run(statement, nullBinds > 0 ? new Array<null>(nullBinds).fill(null) as unknown as string[] : undefined);
    }

    /** Runs the statement; a SQL error (not a login or transport failure) is returned, as Snowflake worded it. */
    async attempt(statement: Statement, nullBinds = 0): Promise<{ rows: Row[] } | { error: string; code?: string }> {
        try {
            return { rows: await this.query(statement, nullBinds) };
        } catch (error) {
            if (error instanceof SnowflakeError && error.details.kind === "statement") {
                return { error: error.details.reason, code: error.details.code };
            }
            throw error;
        }
    }
}
