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

/** The template's text with its includes expanded; `files` receives the template, then each include. */
export function expandIncludes(file: string, root: string, stack: readonly string[], files: string[]): string {
    if (stack.includes(file)) {
        throw new Error(`SQL include cycle: ${[...stack, file].join(" -> ")}`);
    }
    files.push(file);
    const text = fs.readFileSync(path.join(root, file), "utf8");
    const expanded = text.replace(INCLUDE, (_match, included: string) =>
        expandIncludes(included, SQL_ROOT, [...stack, file], files).trimEnd());
    // A partial's header comment explains the partial; inside the statement that includes it, it
    // would interrupt the statement a reader (or a plan reviewer) reads.
    return stack.length === 0 ? expanded : expanded.replace(LEADING_COMMENT_LINES, "");
}

/** The names a template (with its includes) uses: `{{NAME}}` placeholders and `{{ref NAME}}` references. */
export function templateParameters(file: string, root: string = SQL_ROOT): { placeholders: string[]; refs: string[] } {
    const template = expandIncludes(file, root, [], []);
    const names = (pattern: RegExp) => [...new Set([...template.matchAll(pattern)].map((match) => match[1]))];
    return { placeholders: names(PLACEHOLDER), refs: names(REF) };
}
