// Types only: rules.ts lists this rule in RULES, so a value imported from it here would be a cycle.
import type { PolicyRule } from "./subject";

/**
 * Two behaviours of `@pulumi/snowflake` 1.3.0 (terraform-provider-snowflake v1.2.1) that broke a
 * running deployment, kept out for good:
 *
 * - its procedure resources (ProcedurePython and the other languages) force replacement on any
 *   change to the definition, arguments, defaults, packages or handler, and create without OR
 *   REPLACE, so a task calling the procedure fails between the drop and the create
 *   (`pkg/resources/procedure_python.go`); Wallmonitor's Procedure resource uses CREATE OR REPLACE;
 * - its `grant_database_role` fails, or re-grants on every `up`, for the SNOWFLAKE application's
 *   database roles (terraform-provider-snowflake issues 4338, 4284, 4469); Wallmonitor's Grant
 *   resource grants them.
 */

const PROCEDURE_KINDS = /^Procedure(Python|Java|Javascript|Scala|Sql)$/;

export const stableProceduresAndSnowflakeRoles: PolicyRule = {
    name: "stable-procedures-and-snowflake-role-grants",
    description: "Procedures come from Wallmonitor's Procedure resource (CREATE OR REPLACE, never drop-and-create) and " +
        "SNOWFLAKE database roles from its Grant resource, not from the Snowflake provider's resources that break them.",
    check(subject) {
        if (!subject.type.startsWith("snowflake:index/")) {
            return [];
        }
        const kind = subject.type.split(":").pop() ?? "";
        if (PROCEDURE_KINDS.test(kind)) {
            return [`${kind} ${subject.name} is dropped and recreated on any change to its body, arguments or defaults ` +
                "(terraform-provider-snowflake pkg/resources/procedure_python.go), so the tasks calling it fail in between; " +
                "declare it with provider/procedure.ts"];
        }
        const role = String((subject.props as Record<string, unknown>).databaseRoleName ?? "").replace(/"/g, "").toUpperCase();
        if (kind === "GrantDatabaseRole" && role.startsWith("SNOWFLAKE.")) {
            return [`GrantDatabaseRole ${subject.name} grants ${role}, which the Snowflake provider fails to grant or grants again ` +
                "on every `up` (terraform-provider-snowflake issues 4338, 4284, 4469); grant it with provider/grant.ts"];
        }
        return [];
    },
};
