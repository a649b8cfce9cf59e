import { ChangeCounts, RolloutStack, RolloutWorkspace } from "./workspace";

/**
 * The rollout: preview every selected stack, then update them wave by wave, stopping at the
 * first failure. A dry run stops after the previews. Progress goes to `log` as it happens;
 * the returned report says, per stack, what was previewed and what was and was not applied.
 */

export type PreviewStatus = "previewed" | "failed" | "not previewed";
export type UpdateStatus = "applied" | "unchanged" | "failed" | "not applied";

export interface StackOutcome {
    readonly stack: string;
    /** 1-based wave number. */
    readonly wave: number;
    preview: PreviewStatus;
    /** The preview's operation counts, without `same`. */
    changes?: Record<string, number>;
    update: UpdateStatus;
    error?: string;
}

export interface RolloutReport {
    readonly ok: boolean;
    readonly dryRun: boolean;
    readonly stacks: readonly StackOutcome[];
    /** Where it stopped: `preview of X` or `update of X`; undefined when nothing failed. */
    readonly stoppedAt?: string;
}

export interface RolloutOptions {
    readonly workspace: RolloutWorkspace;
    readonly waves: readonly (readonly string[])[];
    readonly dryRun?: boolean;
    /** A progress line; the engine's own output is passed on prefixed with the stack. */
    readonly log?: (line: string) => void;
    /** Pass the engine's own output lines to `log` (prefixed `[stack]`). Defaults to false. */
    readonly verbose?: boolean;
}

/** The operation counts other than `same`: what a preview would change. */
export function pendingChanges(counts: ChangeCounts | undefined): Record<string, number> {
    return Object.fromEntries(Object.entries(counts ?? {})
        .filter((entry): entry is [string, number] => entry[0] !== "same" && typeof entry[1] === "number" && entry[1] > 0));
}

function describeChanges(changes: Record<string, number>): string {
    const parts = Object.entries(changes).map(([op, count]) => `${count} to ${op}`);
    return parts.length === 0 ? "no changes" : parts.join(", ");
}

function messageOf(error: unknown): string {
    const text = error instanceof Error ? error.message : String(error);
    // The CLI's error carries its whole output; the last meaningful lines say what failed.
    const lines = text.split("\n").map((line) => line.trim()).filter((line) => line !== "");
    return lines.slice(-3).join(" | ");
}

export async function runRollout(options: RolloutOptions): Promise<RolloutReport> {
    const log = options.log ?? (() => undefined);
    const dryRun = options.dryRun ?? false;
    const outcomes: StackOutcome[] = options.waves.flatMap((wave, index) =>
        wave.map((stack) => ({ stack, wave: index + 1, preview: "not previewed" as PreviewStatus, update: "not applied" as UpdateStatus })));
    const total = outcomes.length;
    const engineOutput = (stack: string) => (line: string) => {
        if (options.verbose) {
            log(`[${stack}] ${line.trimEnd()}`);
        }
    };
    const finish = (stoppedAt?: string): RolloutReport => {
        const report = { ok: stoppedAt === undefined, dryRun, stacks: outcomes, stoppedAt };
        for (const line of summaryLines(report)) {
            log(line);
        }
        return report;
    };

    const selected = new Map<string, RolloutStack>();
    for (const [index, outcome] of outcomes.entries()) {
        log(`preview ${index + 1}/${total}: ${outcome.stack} (wave ${outcome.wave}) ...`);
        try {
            const stack = await options.workspace.selectStack(outcome.stack);
            const result = await stack.preview(engineOutput(outcome.stack));
            selected.set(outcome.stack, stack);
            outcome.preview = "previewed";
            outcome.changes = pendingChanges(result.changeSummary);
            log(`preview ${index + 1}/${total}: ${outcome.stack}: ${describeChanges(outcome.changes)}`);
        } catch (error) {
            outcome.preview = "failed";
            outcome.error = messageOf(error);
            log(`preview ${index + 1}/${total}: ${outcome.stack} FAILED: ${outcome.error}`);
            return finish(`preview of ${outcome.stack}`);
        }
    }
    if (dryRun) {
        log("dry run: nothing applied");
        return finish();
    }

    for (const [waveIndex, wave] of options.waves.entries()) {
        log(`wave ${waveIndex + 1}/${options.waves.length}: ${wave.join(", ")}`);
        for (const name of wave) {
            const outcome = outcomes.find((candidate) => candidate.stack === name)!;
            if (Object.keys(outcome.changes ?? {}).length === 0) {
                outcome.update = "unchanged";
                log(`update ${name}: nothing to change`);
                continue;
            }
            log(`update ${name}: ${describeChanges(outcome.changes ?? {})} ...`);
            try {
                const result = await selected.get(name)!.up(engineOutput(name));
                if (result.summary.result !== "succeeded") {
                    throw new Error(`update ended ${result.summary.result}`);
                }
                outcome.update = "applied";
                log(`update ${name}: applied (${describeChanges(pendingChanges(result.summary.resourceChanges))})`);
            } catch (error) {
                outcome.update = "failed";
                outcome.error = messageOf(error);
                log(`update ${name} FAILED: ${outcome.error}`);
                return finish(`update of ${name}`);
            }
        }
    }
    return finish();
}

/** The summary printed at the end: one line per stack, then the verdict. */
export function summaryLines(report: RolloutReport): string[] {
    const lines = ["", "rollout summary:"];
    for (const outcome of report.stacks) {
        const changes = outcome.changes === undefined ? "" : ` (${describeChanges(outcome.changes)})`;
        const update = report.dryRun ? "dry run" : outcome.update;
        lines.push(`  wave ${outcome.wave}  ${outcome.stack}: preview ${outcome.preview}${changes}; update ${update}` +
            (outcome.error === undefined ? "" : `; error: ${outcome.error}`));
    }
    const applied = report.stacks.filter((outcome) => outcome.update === "applied").map((outcome) => outcome.stack);
    const notApplied = report.stacks.filter((outcome) => outcome.update === "not applied").map((outcome) => outcome.stack);
    if (report.ok) {
        lines.push(report.dryRun ? `dry run complete: ${report.stacks.length} stacks previewed, nothing applied`
            : `rollout complete: ${applied.length} applied, ${report.stacks.length - applied.length} unchanged`);
    } else {
        lines.push(`rollout STOPPED at the ${report.stoppedAt}; applied: ${applied.join(", ") || "none"}; ` +
            `not applied: ${notApplied.join(", ") || "none"}`);
    }
    return lines;
}
