/**
 * The doctor's report: one line per finding, each with its evidence and, where something is
 * wrong, the exact command or config change that fixes it.
 */

/** `not-checked` is never a pass: what the doctor could not verify is listed as such. */
export type Status = "pass" | "warn" | "fail" | "not-checked";

export type Area = "connection" | "account" | "grants" | "events" | "shapes" | "compile" | "settled" | "deployed";

export interface Finding {
    readonly area: Area;
    readonly status: Status;
    /** One line: what was checked and what was found. */
    readonly title: string;
    /** What Snowflake answered (rows, counts, its message). */
    readonly evidence?: string;
    /** The command or config change that fixes it. */
    readonly fix?: string;
}

export interface Report {
    readonly stack: string;
    readonly mode: "before-deploy" | "after-deploy";
    /** False when the doctor could not log in: then nothing else was checked. */
    readonly connected: boolean;
    readonly findings: readonly Finding[];
}

/** `1 statement`, `2 statements`. */
export function count(n: number, noun: string): string {
    return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

export const EXIT = { ok: 0, failures: 1, noConnection: 2 } as const;

export function exitCode(report: Report): number {
    if (!report.connected) {
        return EXIT.noConnection;
    }
    return report.findings.some((finding) => finding.status === "fail") ? EXIT.failures : EXIT.ok;
}

const AREA_TITLES: Record<Area, string> = {
    connection: "Connection",
    account: "Account and roles",
    grants: "Grants against the privilege model",
    events: "Event access",
    shapes: "Live event shapes",
    compile: "SQL compiles here",
    settled: "Settled live",
    deployed: "After deploy",
};

const MARKS: Record<Status, string> = { pass: "PASS", warn: "WARN", fail: "FAIL", "not-checked": "NOT CHECKED" };

export function renderText(report: Report): string {
    const out = [`wallmonitor doctor: stack ${report.stack} (${report.mode})`, ""];
    for (const area of Object.keys(AREA_TITLES) as Area[]) {
        const findings = report.findings.filter((finding) => finding.area === area);
        if (findings.length === 0) {
            continue;
        }
        out.push(AREA_TITLES[area]);
        for (const finding of findings) {
            out.push(`  ${MARKS[finding.status].padEnd(11)} ${finding.title}`);
            if (finding.evidence !== undefined) {
                out.push(...finding.evidence.split("\n").map((line) => `              evidence: ${line}`));
            }
            if (finding.fix !== undefined) {
                out.push(...finding.fix.split("\n").map((line) => `              fix: ${line}`));
            }
        }
        out.push("");
    }
    const count = (status: Status) => report.findings.filter((finding) => finding.status === status).length;
    out.push(`${count("pass")} pass, ${count("warn")} warn, ${count("fail")} fail, ${count("not-checked")} not checked` +
        `; exit ${exitCode(report)}`);
    return `${out.join("\n")}\n`;
}

export function renderJson(report: Report): string {
    return `${JSON.stringify({ ...report, exitCode: exitCode(report) }, null, 2)}\n`;
}
