import * as pulumi from "@pulumi/pulumi";
import * as snowflake from "@pulumi/snowflake";

import { WallmonitorConfig } from "../lib/config/stack";
import { childName, childOptions } from "../lib/pulumi/naming";
import { columnDefaultClause } from "../lib/sql/render";
import { ColumnDefinition, TABLES, TableDefinition } from "../lib/sql/tables";

export interface StorageArgs {
    readonly config: WallmonitorConfig;
    /** Provider of the owner role, which creates and so owns the schema and its tables. */
    readonly ownerProvider: pulumi.ProviderResource;
    /** The owner role's grants on the database; the schema cannot be created before them. */
    readonly dependsOn?: pulumi.Resource[];
}

/**
 * The Wallmonitor schema and its standard tables (lib/tables.ts): the agent registry, the
 * per-agent ingestion state and the event history. The schema has managed access, so only
 * its owner decides grants on what it holds, future grants included.
 */
export class Storage extends pulumi.ComponentResource {
    readonly schema: snowflake.Schema;
    readonly tables: Readonly<Record<string, snowflake.Table>>;

    constructor(name: string, args: StorageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("wallmonitor:storage:Storage", name, {}, opts);
        const { config } = args;

        this.schema = new snowflake.Schema(childName(name, config.schema), {
            database: config.database,
            name: config.schema,
            withManagedAccess: "true",
            comment: config.comment,
        }, childOptions(this, args.ownerProvider, args.dependsOn));

        const inSchema = childOptions(this, args.ownerProvider, [this.schema]);
        this.tables = Object.fromEntries(TABLES.map((table) => [table.name, this.table(name, table, config, inSchema)]));
        this.registerOutputs({ schema: this.schema.name });
    }

    private table(name: string, table: TableDefinition, config: WallmonitorConfig,
                  opts: pulumi.CustomResourceOptions): snowflake.Table {
        return new snowflake.Table(childName(name, table.name), {
            database: config.database,
            schema: config.schema,
            name: table.name,
            comment: table.comment,
            changeTracking: table.changeTracking,
            columns: table.columns.map((column) => ({
                name: column.name,
                type: column.type,
                nullable: column.nullable ?? true,
                comment: column.comment,
                default: columnDefault(table.name, column),
            })),
            // No primaryKey: the provider never creates it (lib/tables.ts naturalKeyNotCreated), and
            // any later change to it would run ALTER TABLE ... DROP PRIMARY KEY against a table without one.
        // Tables hold history that cannot be recreated: a mistaken delete must not reach Snowflake.
        }, { ...opts, protect: true });
    }
}

/**
 * A column's default as the provider reads it back: literals as `constant`, function calls as
 * `expression` (lib/tables.ts). Checked by the same function that renders the emulator's DDL, so
 * both accept the same defaults.
 */
function columnDefault(table: string, column: ColumnDefinition): snowflake.types.input.TableColumnDefault | undefined {
    columnDefaultClause(table, column);
    if (column.defaultConstant !== undefined) {
        return { constant: column.defaultConstant };
    }
    return column.defaultExpression === undefined ? undefined : { expression: column.defaultExpression };
}
