import * as fs from "fs";
import * as path from "path";

/**
 * Reading a template of sql/ and the names it uses, without rendering it: the model registry
 * checks its declarations with this before any stack config exists (lib/sql/registry.ts).
 */

export const SQL_ROOT = path.resolve(__dirname, "..", "..", "sql");

export const PLACEHOLDER = /\{\{\s*([A-Z][A-Z0-9_]*)\s*\}\}/g;
export const REF = /\{\{\s*ref\s+([A-Z][A-Z0-9_]*)\s*\}\}/g;
const INCLUDE = /\{\{>\s*([a-z0-9_/]+\.sql)\s*\}\}/g;
const LEADING_COMMENT_LINES = /^(?:[ \t]*(?:--[^\n]*)?\n)+/;
/** `{{expr NAME = text}}` on a line of its own; the text may hold placeholders and binds (one level of `{{...}}`). */
const EXPRESSION_DEFINITION = /^[ \t]*\{\{\s*expr\s+([A-Z][A-Z0-9_]*)\s*=\s*((?:[^{}\n]|\{\{[^{}\n]*\}\})+?)\s*\}\}[ \t]*(?:\n|$)/gm;
const EXPRESSION_USE = /\{\{\s*expr\s+([A-Z][A-Z0-9_]*)\s*\}\}/g;

/**
 * A template's text with its includes expanded; `files` receives the template, then each include.
 *
 * An expression a partial needs from whatever includes it (a read's start, which an alert rule
 * takes from its bound evaluation time and a view from SYSDATE()) is written `{{expr NAME}}` in
 * the partial and defined once, `{{expr NAME = text}}` on a line of its own, in a file that
 * includes it (directly or through other partials). The text is SQL of the defining file, with its
 * placeholders and binds, so the value is still rendered or bound as render.ts rules; it is put in
 * as is wherever the defining file or its includes use NAME, before any placeholder is filled, so
 * a bound expression used twice binds twice. A partial's bound on a time column stays an
 * expression of constants and binds, which Snowflake prunes micro-partitions by, instead of a
 * subquery on a CTE, which it does not
 * (https://docs.snowflake.com/en/user-guide/tables-clustering-micropartitions, "Query Pruning").
 * A name used but defined by no including file, defined twice in one file, or defined and never
 * used by the file or its includes (an inner definition of the same name leaves the outer unused)
 * is an error.
 */
export function expandIncludes(file: string, root: string, stack: readonly string[], files: string[]): string {
    if (stack.includes(file)) {
        throw new Error(`SQL include cycle: ${[...stack, file].join(" -> ")}`);
    }
    files.push(file);
    const definitions = new Map<string, string>();
    const text = fs.readFileSync(path.join(root, file), "utf8").replace(EXPRESSION_DEFINITION, (_match, name: string, body: string) => {
        if (definitions.has(name)) {
            throw new Error(`${file}: {{expr ${name}}} is defined twice; define it once`);
        }
        definitions.set(name, body.trim());
        return "";
    });
    if (/\{\{\s*expr\s+[A-Z][A-Z0-9_]*\s*=/.test(text)) {
        throw new Error(`${file}: an {{expr NAME = text}} definition stands on a line of its own, its text on that line`);
    }
    const expanded = text.replace(INCLUDE, (_match, included: string) =>
        expandIncludes(included, SQL_ROOT, [...stack, file], files).trimEnd());
    const used = new Set<string>();
    const resolve = (sql: string): string => sql.replace(EXPRESSION_USE, (use, name: string) => {
        const body = definitions.get(name);
        if (body === undefined) {
            if (stack.length === 0) {
                throw new Error(`${file}: {{expr ${name}}} is used but never defined; the statement that includes its partial ` +
                    `defines it with {{expr ${name} = ...}} on a line of its own`);
            }
            return use;
        }
        used.add(name);
        return body;
    });
    // A definition may use another of the same file; as many passes as there are definitions resolve them all.
    let resolved = resolve(expanded);
    for (let pass = 0; pass < definitions.size && [...resolved.matchAll(EXPRESSION_USE)].some((use) => definitions.has(use[1])); pass++) {
        resolved = resolve(resolved);
    }
    if ([...resolved.matchAll(EXPRESSION_USE)].some((use) => definitions.has(use[1]))) {
        throw new Error(`${file}: the {{expr ...}} definitions use each other in a cycle`);
    }
    for (const name of definitions.keys()) {
        if (!used.has(name)) {
            throw new Error(`${file}: {{expr ${name}}} is defined but neither this file nor its includes use it`);
        }
    }
    // A partial's header comment explains the partial; inside the statement that includes it, it
    // would interrupt the statement a reader (or a plan reviewer) reads.
    return stack.length === 0 ? resolved : resolved.replace(LEADING_COMMENT_LINES, "");
}

/** The names a template (with its includes) uses: `{{NAME}}` placeholders and `{{ref NAME}}` references. */
export function templateParameters(file: string, root: string = SQL_ROOT): { placeholders: string[]; refs: string[] } {
    const template = expandIncludes(file, root, [], []);
    const names = (pattern: RegExp) => [...new Set([...template.matchAll(pattern)].map((match) => match[1]))];
    return { placeholders: names(PLACEHOLDER), refs: names(REF) };
}
