import { literal } from "../lib/sql/render";
import { cell, Check } from "./context";
import type { Finding } from "./report";
import { doctorStatement } from "./sql";

/**
 * Account and roles: who the doctor is logged in as, the region and whether Cortex can run
 * outside it, and whether the stack's roles exist. Before the first deploy the roles Wallmonitor
 * creates do not exist yet; the admin role and the parent role must.
 */
export const accountCheck: Check = async (context) => {
    const { config } = context;
    return context.as(undefined, async (session) => {
        const findings: Finding[] = [];
        const [who] = await session.query(doctorStatement("current_session"));
        findings.push({
            area: "connection", status: "pass",
            title: `logged in as ${cell(who, "USER_NAME")} with role ${cell(who, "ROLE_NAME")}`,
            evidence: `account ${cell(who, "ACCOUNT_NAME")}, region ${cell(who, "REGION")}`,
        });
        // Cortex models are served per region; CORTEX_ENABLED_CROSS_REGION lets an account use
        // another region's (https://docs.snowflake.com/en/user-guide/snowflake-cortex/cross-region-inference).
        const crossRegion = await session.attempt(doctorStatement("account_parameter", { NAME: literal("CORTEX_ENABLED_CROSS_REGION") }));
        if ("error" in crossRegion) {
            findings.push({ area: "account", status: "warn", title: "Cortex cross-region setting not readable", evidence: crossRegion.error });
        } else {
            const value = cell(crossRegion.rows[0] ?? {}, "value") || "(not set)";
            findings.push({
                area: "account", status: "pass",
                title: `Cortex in region ${cell(who, "REGION")}: CORTEX_ENABLED_CROSS_REGION = ${value}`,
                evidence: value === "DISABLED" ? "agents can use only the models served in this region" : undefined,
            });
        }
        const created = new Set([config.ownerRole, config.viewerRole]);
        for (const role of [...new Set([config.adminRole, config.parentRole, config.ownerRole, config.viewerRole])]) {
            const rows = await session.query(doctorStatement("show_role", { NAME: literal(role) }));
            const exists = rows.some((row) => cell(row, "name").toUpperCase() === role);
            if (exists) {
                context.existingRoles.add(role);
                findings.push({ area: "account", status: "pass", title: `role ${role} exists` });
            } else if (created.has(role) && context.beforeDeploy) {
                findings.push({ area: "account", status: "pass", title: `role ${role} does not exist yet: pulumi up creates it` });
            } else {
                findings.push({
                    area: "account", status: "fail", title: `role ${role} does not exist (or this user cannot see it)`,
                    fix: created.has(role) ? "run pulumi up, which creates it" :
                        `create it (CREATE ROLE ${role}) and grant it to the deploying user, or set another role in the stack config`,
                });
            }
        }
        return findings;
    });
};
