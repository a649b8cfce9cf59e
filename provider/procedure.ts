import * as pulumi from "@pulumi/pulumi";

import { QUALIFIED_NAME_PATTERN } from "../lib/sql/identifier";
import { ident, SqlValue } from "../lib/sql/render";
import { OBJECT_MISSING } from "./errors";
import { checkIdentifier, checkStatement, CheckFailure, ResourceKind, snowflakeProvider } from "./resource";
import { providerStatement, Statement } from "./statements";

/**
 * A Python stored procedure, created and updated with `CREATE OR REPLACE PROCEDURE ... EXECUTE AS
 * OWNER AS $$...$$` as the owner role. `@pulumi/snowflake`'s ProcedurePython replaces (drops, then
 * creates, never OR REPLACE) on any change to its definition, arguments, defaults or packages
 * (terraform-provider-snowflake `pkg/resources/procedure_python.go`), so the tasks that call it
 * fail in between. CREATE OR REPLACE is atomic: the old procedure is replaced in one transaction
 * (https://docs.snowflake.com/en/sql-reference/sql/create-procedure), so a running task never
 * finds it missing.
 *
 * Only the argument types are the procedure's identity (Snowflake overloads by them): a change
 * there creates the new signature, then drops the old one by its signature. Everything else
 * (body, defaults, packages, comment) is an in-place CREATE OR REPLACE.
 */

export interface ProcedureInputs {
    /** The role that creates, and so owns, the procedure; the session runs as it. */
    readonly ownerRole: string;
    /** `DATABASE.SCHEMA.NAME`. */
    readonly procedure: string;
    /** The argument types in order (the signature), as the create statement declares them. */
    readonly argumentTypes: readonly string[];
    /** CREATE OR REPLACE PROCEDURE with its Python body; runs on create and whenever it changes. */
    readonly create: Statement;
    /** DESCRIBE PROCEDURE by signature: how read finds it. */
    readonly describe: Statement;
    /** DROP PROCEDURE IF EXISTS by signature. */
    readonly drop: Statement;
}

export type ProcedureOutputs = ProcedureInputs;

/** Ends a procedure's body; a body containing it would end the constant early and run the rest as SQL. */
export const DOLLAR_QUOTE = "$$";

/** Argument types a signature may hold: plain type names, so the signature renders as identifiers. */
const ARGUMENT_TYPE = /^[A-Z][A-Z0-9_]*$/;

export interface ProcedureSettings {
    readonly ownerRole: string;
    readonly database: string;
    readonly schema: string;
    readonly name: string;
    /** The create statement's file under sql/provider/procedures/, without `.sql` (it holds the signature and defaults). */
    readonly template: string;
    /** Values of the template's placeholders other than PROCEDURE. */
    readonly values: Readonly<Record<string, SqlValue>>;
    /** The Python module run as the procedure; must not contain `$$`. */
    readonly body: string;
}

/**
 * The argument types of a `CREATE ... PROCEDURE name(<name> <type> [DEFAULT ...], ...)` statement,
 * read from the statement itself so the signature the resource is identified by can never differ
 * from the one it creates. Defaults may be quoted strings holding commas or parentheses.
 */
export function signatureOf(createText: string): string[] {
    const code = createText.split("\n").filter((line) => !line.trimStart().startsWith("--")).join("\n");
    const open = /\bPROCEDURE\s+[A-Z0-9_$.]+\s*\(/i.exec(code);
    if (open === null) {
        throw new Error("not a CREATE PROCEDURE statement: no `PROCEDURE <name>(` in it");
    }
    const args: string[] = [];
    let depth = 0;
    let quoted = false;
    let current = "";
    for (const char of code.slice(open.index + open[0].length)) {
        if (char === "'") {
            quoted = !quoted;
        } else if (!quoted && char === "(") {
            depth += 1;
        } else if (!quoted && char === ")") {
            if (depth === 0) {
                break;
            }
            depth -= 1;
        } else if (!quoted && depth === 0 && char === ",") {
            args.push(current);
            current = "";
            continue;
        }
        current += char;
    }
    args.push(current);
    return args.map((arg) => arg.trim()).filter((arg) => arg !== "").map((arg) => {
        const type = arg.split(/\s+/)[1]?.toUpperCase();
        if (type === undefined || !ARGUMENT_TYPE.test(type)) {
            throw new Error(`argument "${arg}" has no plain type name (use FLOAT, NUMBER, VARCHAR, BOOLEAN, TIMESTAMP_NTZ ...)`);
        }
        return type;
    });
}

/** Refuses a body that could end its `$$` quoting early. */
export function checkBody(procedure: string, body: string): void {
    if (body.includes(DOLLAR_QUOTE)) {
        throw new Error(`The body of procedure ${procedure} contains "${DOLLAR_QUOTE}", which would end its dollar-quoted ` +
            "definition early and run the rest as SQL; remove it from the handler (write it as \"$\" \"$\" in Python, " +
            "or build it with chr(36)).");
    }
}

/** Renders the resource's statements (program side). */
export function procedureInputs(args: ProcedureSettings): ProcedureInputs {
    const procedure = ident(args.database, args.schema, args.name);
    checkBody(procedure.identifier, args.body);
    const header = providerStatement(`procedures/${args.template}`, { ...args.values, PROCEDURE: procedure });
    if (!/\bAS\s*$/.test(header.text)) {
        throw new Error(`${header.file} must end with AS: the body follows it`);
    }
    const argumentTypes = signatureOf(header.text);
    const signature = { PROCEDURE: procedure, ARGUMENT_TYPES: { list: argumentTypes.map((type) => ident(type)) } };
    return {
        ownerRole: args.ownerRole,
        procedure: procedure.identifier,
        argumentTypes,
        // The body cannot go through the SQL renderer (it reserves {{ }}, which Python dictionaries
        // use); it is attached as a dollar-quoted constant, checked above to hold no `$$`.
        create: { file: header.file, text: `${header.text} ${DOLLAR_QUOTE}\n${args.body.trimEnd()}\n${DOLLAR_QUOTE}` },
        describe: providerStatement("procedures/describe_procedure", signature),
        drop: providerStatement("procedures/drop_procedure", signature),
    };
}

/** The text before the body: what a plan shows of the create statement. */
export function procedureHeader(createText: string): string {
    const at = createText.indexOf(DOLLAR_QUOTE);
    return (at < 0 ? createText : createText.slice(0, at)).trimEnd();
}

/** The Python body of a create statement. */
export function procedureBody(createText: string): string | undefined {
    const start = createText.indexOf(DOLLAR_QUOTE);
    const end = createText.lastIndexOf(DOLLAR_QUOTE);
    return start < 0 || end <= start ? undefined : createText.slice(start + DOLLAR_QUOTE.length, end);
}

/** Every statement the inputs hold, for tests and plans. */
export function procedureStatements(inputs: ProcedureInputs): Statement[] {
    return [inputs.create, inputs.describe, inputs.drop];
}

function checkInputs(news: Readonly<Record<string, unknown>>): CheckFailure[] {
    const failures = [
        ...checkIdentifier(news, "ownerRole", "SFE_WALLMONITOR_OWNER"),
        ...checkStatement("create", news.create),
        ...checkStatement("describe", news.describe),
        ...checkStatement("drop", news.drop),
    ];
    if (typeof news.procedure !== "string" || !QUALIFIED_NAME_PATTERN.test(news.procedure)) {
        failures.push({ property: "procedure", reason: `${JSON.stringify(news.procedure)} is not DATABASE.SCHEMA.NAME ` +
            "of unquoted UPPERCASE identifiers; render it with procedureInputs()." });
    }
    const types = news.argumentTypes;
    if (!Array.isArray(types) || !types.every((type) => typeof type === "string" && ARGUMENT_TYPE.test(type))) {
        failures.push({ property: "argumentTypes", reason: "must list the argument types as plain type names (FLOAT, NUMBER, VARCHAR ...)." });
    }
    const create = news.create as Partial<Statement> | undefined;
    if (typeof create?.text === "string") {
        const text = create.text;
        const bodyStart = text.indexOf(DOLLAR_QUOTE);
        if (bodyStart < 0 || !text.trimEnd().endsWith(DOLLAR_QUOTE) || text.indexOf(DOLLAR_QUOTE, bodyStart + 2) !== text.trimEnd().length - 2) {
            failures.push({ property: "create", reason: `the body must be one ${DOLLAR_QUOTE}-quoted constant at the end, with no ` +
                `${DOLLAR_QUOTE} inside it; render it with procedureInputs().` });
        }
        if (!/^\s*CREATE OR REPLACE PROCEDURE\b/m.test(procedureHeader(text)) || !/\bEXECUTE AS OWNER\b/.test(procedureHeader(text))) {
            failures.push({ property: "create", reason: "must be CREATE OR REPLACE PROCEDURE ... EXECUTE AS OWNER, so an update " +
                "never leaves the procedure missing; render it with procedureInputs()." });
        }
        let declared: string[] | undefined;
        try {
            declared = signatureOf(procedureHeader(text));
        } catch (error) {
            failures.push({ property: "create", reason: (error as Error).message });
        }
        if (declared !== undefined && Array.isArray(types) && JSON.stringify(declared) !== JSON.stringify(types)) {
            failures.push({ property: "argumentTypes", reason: `(${types.join(", ")}) differs from the signature the create ` +
                `statement declares (${declared.join(", ")}); render both with procedureInputs().` });
        }
    }
    return failures;
}

export const procedureKind: ResourceKind<ProcedureInputs, ProcedureOutputs> = {
    description: "a procedure",
    properties: {
        // CREATE OR REPLACE needs the procedure's ownership: a new owner role first needs it transferred.
        ownerRole: "update",
        procedure: "replace",
        argumentTypes: "replace",
        create: "update",
        describe: "update",
        drop: "update",
    },
    check: checkInputs,
    session: (inputs) => ({ role: inputs.ownerRole }),

    async create(session, inputs) {
        await session.run(inputs.create);
        return { id: `${inputs.procedure}(${inputs.argumentTypes.join(", ")})`, outs: inputs };
    },

    async read(session, _id, state) {
        const result = await session.tryRun(state.describe, (failure) => failure.code === OBJECT_MISSING);
        return "failure" in result ? undefined : state;
    },

    async update(session, _id, _olds, news, changed) {
        if (changed.includes("create")) {
            await session.run(news.create);
        }
        return news;
    },

    async delete(session, _id, state) {
        // IF EXISTS covers a dropped procedure; a dropped schema or database still answers 002003.
        await session.tryRun(state.drop, (failure) => failure.code === OBJECT_MISSING);
    },
};

const provider = snowflakeProvider(procedureKind);

/** The resource's arguments: its resolved inputs, each of which may be an Output. */
export type ProcedureArgs = { readonly [K in keyof ProcedureInputs]: pulumi.Input<ProcedureInputs[K]> };

/** See the module comment; build its args with `procedureInputs`. */
export class Procedure extends pulumi.dynamic.Resource {
    declare readonly procedure: pulumi.Output<string>;
    declare readonly argumentTypes: pulumi.Output<string[]>;

    constructor(name: string, args: ProcedureArgs, opts?: pulumi.CustomResourceOptions) {
        super(provider, name, { ...args }, opts, "wallmonitor", "Procedure");
    }
}
