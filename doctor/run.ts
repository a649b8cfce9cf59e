import { ConnectionLimits, ConnectionSettings } from "../provider/connection";
import { SnowflakeError } from "../provider/errors";
import { accountCheck } from "./account";
import { compileCheck } from "./compile";
import { Check, connectionSettings, DoctorContext, DOCTOR_LIMITS, loadContext } from "./context";
import { deployedCheck } from "./deployed";
import { eventsCheck } from "./events";
import { grantsCheck } from "./grants";
import type { Area, Finding, Report } from "./report";
import { settledCheck } from "./settled";
import { shapesCheck } from "./shapes";

export interface DoctorOptions {
    readonly stack: string;
    readonly beforeDeploy: boolean;
    readonly env: NodeJS.ProcessEnv;
    readonly limits?: ConnectionLimits;
    /** `wallmonitor:<key>` -> value, replacing the stack file's values for this run (as `pulumi up --config` does). */
    readonly overrides?: Readonly<Record<string, string>>;
    /** The clock lag is measured against; tests fix it. */
    readonly now?: () => Date;
}

/** The checks in report order; before the first deploy, the ones that make sense then. */
function checks(options: DoctorOptions): [Area, Check][] {
    const always: [Area, Check][] = [["grants", grantsCheck], ["events", eventsCheck], ["shapes", shapesCheck], ["compile", compileCheck],
        ["settled", settledCheck]];
    return options.beforeDeploy ? always : [...always, ["deployed", deployedCheck(options.now)]];
}

function failureText(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}

/** Runs every check read-only and returns the report; never throws for what it finds on the account. */
export async function runDoctor(options: DoctorOptions): Promise<Report> {
    const mode = options.beforeDeploy ? "before-deploy" : "after-deploy";
    const notConnected = (title: string, error: unknown, fix?: string): Report => ({
        stack: options.stack, mode, connected: false,
        findings: [{ area: "connection", status: "fail", title, evidence: failureText(error), fix }],
    });
    let settings: ConnectionSettings;
    let context: DoctorContext;
    try {
        settings = connectionSettings(options.stack, options.env);
        context = await loadContext(options.stack, options.beforeDeploy, settings, options.limits ?? DOCTOR_LIMITS, options.overrides);
    } catch (error) {
        // The message names the key or file to set (connection settings, ConfigError, a missing stack file).
        return notConnected(`stack ${options.stack}: no connection could be made`, error);
    }
    const findings: Finding[] = [];
    try {
        findings.push(...await accountCheck(context));
    } catch (error) {
        if (error instanceof SnowflakeError && error.details.kind !== "statement") {
            return notConnected(`could not connect to ${settings.account} as ${settings.user}`, error,
                "check snowflake:organizationName, snowflake:accountName, snowflake:user and the key or password");
        }
        findings.push({ area: "account", status: "fail", title: "account check could not run", evidence: failureText(error) });
    }
    for (const [area, check] of checks(options)) {
        try {
            findings.push(...await check(context));
        } catch (error) {
            findings.push({ area, status: "fail", title: `${area} check could not finish`, evidence: failureText(error) });
        }
    }
    return { stack: options.stack, mode, connected: true, findings };
}
