import { OwnCostEstimate } from "../lib/config/ownCostModel";
import { parseConfig, WallmonitorConfig } from "../lib/config/stack";
import { ownCostEstimate } from "../lib/sql/ownCostCatalog";
import { OfflineBuild } from "./offline";

/**
 * The plan's section on what Wallmonitor itself would cost a day: the estimate of
 * lib/config/ownCostModel.ts for the stack's config, each figure labelled an estimate, then every
 * assumption it rests on. After `pulumi up` the Pipeline health page shows the same estimate
 * beside what ACCOUNT_USAGE reports (WALLMONITOR_OWN_COST).
 */

export const OWN_COST_TITLE = "Estimated daily credits of Wallmonitor itself";

function number(value: number, digits: number): string {
    return value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** The section's lines for an estimate; `config` gives the credit price and currency. */
export function ownCostSectionLines(estimate: OwnCostEstimate, config: WallmonitorConfig): string[] {
    const price = Number(config.costCreditPrice);
    return [
        "Estimates, not measurements: a model of the stack's schedules, target lag, warehouse and the assumptions " +
            "listed below, at published Snowflake rates. After `pulumi up`, the Pipeline health page puts them beside " +
            "the actual consumption (view WALLMONITOR_OWN_COST).",
        "",
        "| component | object | runs/day (estimate) | seconds/run (estimate) | credits/day (estimate) | how |",
        "|---|---|---|---|---|---|",
        ...estimate.lines.map((line) => `| ${line.component} | ${line.objectName} | ${number(line.runsPerDay, 1)} | ` +
            `${number(line.secondsPerRun, 1)} | ${line.credits === null ? "in warehouse" : number(line.credits, 3)} | ${line.basis} |`),
        "",
        `Estimated total: ${number(estimate.totalCredits, 3)} credits a day, about ` +
            `${number(estimate.totalCredits * 30, 1)} a month (${number(estimate.totalCredits * price * 30, 2)} ` +
            `${config.costCurrency} a month at wallmonitor:costCreditPrice ${config.costCreditPrice}).`,
        "",
        "Assumptions:",
        "",
        ...estimate.assumptions.map((assumption) => `- ${assumption}`),
    ];
}

/** The section for an offline build, from the config the program ran with. */
export function ownCostLines(build: OfflineBuild): string[] {
    const raw = build.config ?? {};
    const config = parseConfig({ get: (key) => raw[`wallmonitor:${key}`] });
    return ownCostSectionLines(ownCostEstimate(config), config);
}
