import * as fs from "fs";
import * as path from "path";

import {
    AllowedColumnChanges, columnChangeMessage, columnChanges, ColumnSpec, columnSpecs, HISTORY_TABLES, isAllowed, tableBaseName,
} from "../lib/sql/historyColumns";
import type { PolicyRule } from "./subject";

/**
 * The columns each history table has as deployed, in order: what the policy pack compares a
 * build with. CrossGuard hands a resource policy only the new inputs (ResourceValidationArgs
 * has no olds in @pulumi/policy 1.21), so `pulumi preview --policy-pack` cannot see the
 * deployed columns; this file records them instead, and only ever grows at the end. The
 * offline `plan --against <ref>` compares with that revision's own build as well, so an edit
 * of this file that hides a change is caught there.
 */
export const DEPLOYED_COLUMNS_FILE = path.join(__dirname, "deployedColumns.json");

let deployed: Record<string, ColumnSpec[]> | undefined;

/** The file's columns, read once per process (the pack checks every table with them). */
export function deployedColumns(): Record<string, ColumnSpec[]> {
    if (deployed === undefined) {
        const raw = JSON.parse(fs.readFileSync(DEPLOYED_COLUMNS_FILE, "utf8")) as Record<string, [string, string][]>;
        deployed = Object.fromEntries(Object.entries(raw).map(([table, columns]) => [table, columns.map(([name, type]) => ({ name, type }))]));
    }
    return deployed;
}

export const HISTORY_COLUMNS_RULE = "history-columns-append-only";

/** Violations of `after` against `before` for one table: the changes `allowed` does not name. */
export function columnViolations(table: string, before: readonly ColumnSpec[], after: readonly ColumnSpec[],
                                 allowed: AllowedColumnChanges | undefined): string[] {
    return columnChanges(table, before, after).filter((change) => !isAllowed(change, allowed))
        .map((change) => columnChangeMessage(change, allowed));
}

const historyColumnsAppendOnly: PolicyRule = {
    name: HISTORY_COLUMNS_RULE,
    description: "A table holding history only gains columns at the end: no column is dropped, renamed, retyped, inserted " +
        "or moved unless wallmonitor:allowColumnChanges names it (the Snowflake provider drops a removed column with its data).",
    check(subject, context) {
        if (subject.type !== "snowflake:index/table:Table") {
            return [];
        }
        const table = tableBaseName(subject.props.name);
        const deployed = deployedColumns()[table];
        const columns = columnSpecs(subject.props.columns);
        if (!(table in HISTORY_TABLES) || deployed === undefined || columns === undefined) {
            return [];
        }
        return columnViolations(table, deployed, columns, context.allowColumnChanges);
    },
};

export const HISTORY_COLUMN_RULES: readonly PolicyRule[] = [historyColumnsAppendOnly];
