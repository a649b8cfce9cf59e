import { DEFAULTS } from "../../lib/config/stack";
import { pythonProcedureValues } from "../../lib/sql/procedures";
import { literal } from "../../lib/sql/render";
import { grantInputs, GrantInputs, GrantSpec, grantStatements } from "../../provider/grant";
import { procedureInputs, ProcedureInputs, procedureStatements } from "../../provider/procedure";
import type { Statement } from "../../provider/statements";

/** Fixtures of the grant and procedure resources: one of each grant form, and each procedure template. */

export const OWNER = "SFE_WALLMONITOR_OWNER";
export const ADMIN = "ACCOUNTADMIN";

export const GRANT_SPECS: Readonly<Record<string, GrantSpec>> = {
    cortexUser: { kind: "databaseRole", databaseRole: "SNOWFLAKE.CORTEX_USER" },
    usageOnSchema: { kind: "object", privilege: "USAGE", objectType: "SCHEMA", object: "SNOWFLAKE_INTELLIGENCE.AGENTS" },
    monitorAllAgents: { kind: "all", privilege: "MONITOR", objectTypePlural: "AGENTS", containerType: "SCHEMA", container: "SNOWFLAKE_INTELLIGENCE.AGENTS" },
    monitorFutureAgents: { kind: "future", privilege: "MONITOR", objectTypePlural: "AGENTS", containerType: "DATABASE", container: "SALES_DB" },
};

export function grant(spec: GrantSpec, grantee = OWNER): GrantInputs {
    return grantInputs({ adminRole: ADMIN, grantee, spec });
}

/** The body a test procedure runs. */
export const BODY = "def run(session, as_of):\n    return 'ok'\n";

export function alertProcedure(body = BODY, comment = "Evaluates the alert rules."): ProcedureInputs {
    return procedureInputs({
        ownerRole: OWNER, database: "DB", schema: "WALLMONITOR", name: "EVALUATE_ALERTS",
        template: "create_evaluate_alerts", values: pythonProcedureValues("run", comment), body,
    });
}

export function refreshProcedure(historyDays = 30): ProcedureInputs {
    return procedureInputs({
        ownerRole: OWNER, database: "DB", schema: "WALLMONITOR", name: "REFRESH_AGENT_EVENTS",
        template: "create_refresh_agent_events",
        values: { ...pythonProcedureValues("run", "Refreshes."), LOOKBACK_HOURS: 24, HISTORY_DAYS: historyDays, INGEST_PATH: literal("event_table") },
        body: BODY,
    });
}

/** Every statement of every grant form and procedure template, for the test that each sql/ file is used. */
export function grantAndProcedureStatements(): Statement[] {
    const procedures = [
        alertProcedure(),
        refreshProcedure(),
        procedureInputs({ ownerRole: OWNER, database: DEFAULTS.database, schema: DEFAULTS.schema, name: "DISCOVER_AGENTS",
            template: "create_discover_agents", values: pythonProcedureValues("run", "Discovers."), body: BODY }),
        procedureInputs({ ownerRole: OWNER, database: DEFAULTS.database, schema: DEFAULTS.schema, name: "ROLLUP_AGENT_EVENTS",
            template: "create_rollup_agent_events",
            values: { ...pythonProcedureValues("run", "Rolls up."), HISTORY_DAYS: 30, ROLLUP_RETENTION_DAYS: 400 }, body: BODY }),
    ];
    return [...Object.values(GRANT_SPECS).flatMap((spec) => grantStatements(grant(spec))), ...procedures.flatMap(procedureStatements)];
}
