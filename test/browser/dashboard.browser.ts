/**
 * The dashboard as a person sees it: the local demo (`python -m demo`) serves the real app on the
 * emulator, and headless Debian Chromium, driven by playwright-core, visits every page through
 * the sidebar. Each page must show its headline numbers and no exception, and every chart on it
 * must be readable (readability.ts): on the demo's own world, and on a crowded one of 13 agents
 * with long names, where the Overview's time axes are also checked in every window. A
 * screenshot of each page goes to build/screenshots/. Finally Ctrl-C (SIGINT) must stop the demo
 * cleanly.
 *
 * Needs /usr/bin/chromium (`bash scripts/setup-browser.sh`), .venv and node_modules
 * (`bash scripts/setup.sh`). Run with `npm run test:browser`.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";

import { cutOffMetrics, DashboardPage, DEMO_START_MS, DemoSession, metricValue, PAGES, ROOT } from "./demo";
import { drawnCharts, problems } from "./readability";

const SCREENSHOTS = path.join(ROOT, "build", "screenshots");
const DEFAULT_WINDOW = "Last 24 hours";

/** The bucket of each window's trend queries (streamlit/dashboard/queries.py WINDOWS), as the
 * query groups it: raw events, or the daily rollups past the history. */
const WINDOW_BUCKETS: Record<string, string> = {
    "Last hour": "minute", "Last 24 hours": "hour", "Last 7 days": "hour", "Last 30 days": "day",
    "Last 90 days": "week", "Last 12 months": "month",
};

/** The bucket of every chart with a time axis: the window's, or the fixed one of its query. */
function bucketOf(page: string, chart: string, windowBucket: string): string | null {
    if (page === "Overview" || (page === "Feedback" && chart === "Ratings over time")) {
        return windowBucket;
    }
    const fixed: Record<string, string> = {
        "Spend per day": "day", // COST_DAILY: one row per UTC day
        "Estimated credits per month": "month", // cost.rollup_months: DATE_TRUNC('month', DAY)
        "Turns per day by account": "day", // org.daily_turns: the rollups' DAY
    };
    return fixed[chart] ?? null;
}

/** What is unreadable on the page shown, chart by chart, and every metric value cut off. */
async function unreadable(session: DemoSession, spec: DashboardPage, window: string): Promise<string[]> {
    const charts = await drawnCharts(session.page);
    const found = charts.flatMap((chart) => {
        const unit = bucketOf(spec.title, chart.title, WINDOW_BUCKETS[window]);
        const timeAxis = chart.axes.some((axis) => axis.side === "X" && /time scale/.test(axis.description));
        const unknown = unit === null && timeAxis && chart.title !== "Turns and spans"
            ? [`${chart.title}: a time chart whose query bucket this test does not know`] : [];
        return [...unknown, ...problems(chart, unit)];
    });
    const metrics = (await cutOffMetrics(session.page)).map((value) => `metric value "${value}" is cut off`);
    const drawn = await session.page.evaluate(`[...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
        .filter((chart) => chart.getBoundingClientRect().width > 0).length`) as number;
    const unmeasured = drawn > charts.length ? [`${drawn - charts.length} chart(s) not drawn as SVG: nothing to measure`] : [];
    const missing = charts.length < spec.charts ? [`${charts.length} charts drawn, ${spec.charts} expected`] : [];
    return [...missing, ...unmeasured, ...found, ...metrics].map((problem) => `${spec.title}: ${problem}`);
}

/** A count as the dashboard prints it (950, 12.3k, 4.5M) as a number. */
function countValue(text: string): number {
    const match = /^(-?[\d.]+)([kMB]?)$/.exec(text.replace(/,/g, ""));
    expect(match, `a count, not "${text}"`).to.not.equal(null);
    return Number(match![1]) * ({ "": 1, k: 1e3, M: 1e6, B: 1e9 } as Record<string, number>)[match![2]];
}

async function noException(session: DemoSession): Promise<void> {
    expect(await session.page.getByTestId("stException").count(), "exceptions on the page").to.equal(0);
}

let crowdedStart: Promise<DemoSession> | undefined;

/** The crowded world's demo, started once the default world serves: it builds its world while
 * the default world's pages are checked, which is mostly waiting for each page to settle. */
function crowdedDemo(): Promise<DemoSession> {
    if (!crowdedStart) {
        // A lower rate and a shorter backlog than the default demo: 13 agents, and the checks need
        // shape, not volume (and a start within DEMO_START_MS on a busy machine).
        crowdedStart = DemoSession.start(["--world", "crowded", "--rate", "4", "--backlog-hours", "30"]);
        // A failed start is reported by the crowded world's own before hook, which awaits it.
        crowdedStart.catch(() => undefined);
    }
    return crowdedStart;
}

describe("the dashboard in Chromium, served by the local demo", function () {
    let session: DemoSession;

    before(async function () {
        this.timeout(DEMO_START_MS + 60_000);
        fs.mkdirSync(SCREENSHOTS, { recursive: true });
        session = await DemoSession.start();
        crowdedDemo();
    });

    after(async function () {
        await session?.close();
    });

    for (const spec of PAGES) {
        it(`shows ${spec.title} with its headline numbers, readable charts and no exception`, async function () {
            await session.visit(spec);
            for (const label of spec.headline) {
                const value = await metricValue(session.page, label);
                expect(value, label).to.match(/\S/);
                expect(value, label).to.not.equal("—");
            }
            await noException(session);
            await session.screenshot(path.join(SCREENSHOTS, `${spec.file}.png`));
            expect(await unreadable(session, spec, DEFAULT_WINDOW)).to.deep.equal([]);
        });
    }

    it("counts the window's threads on Threads as Overview does, or labels its list as capped and says why", async function () {
        const [overview, threads] = [PAGES[0], PAGES.find((spec) => spec.title === "Threads")!];
        // The demo keeps ingesting: Threads is read between two readings of Overview, and the
        // counts only grow, so an equal count lies between them.
        await session.visit(overview);
        const before = countValue(await metricValue(session.page, "Active threads"));
        await session.visit(threads);
        const labels = await session.page.getByTestId("stMetricLabel").allInnerTexts();
        const listed = labels.map((label) => label.trim()).includes("Threads listed");
        const shown = countValue(await metricValue(session.page, listed ? "Threads listed" : "Threads"));
        const capNote = await session.page.getByText(/capped to stay fast/).count();
        await session.visit(overview);
        const after = countValue(await metricValue(session.page, "Active threads"));
        if (listed) {
            expect(capNote, "a capped list says it is capped, and why").to.be.greaterThan(0);
            expect(shown).to.be.at.most(after);
        } else {
            expect(shown, `Threads shows ${shown}; Overview showed ${before}, then ${after}`).to.be.within(before, after);
        }
    });

    it("stops the demo cleanly on Ctrl-C", async function () {
        expect(await session.interrupt(), session.output).to.equal(0);
        expect(session.output).to.include("[wallmonitor demo] stopped");
        expect(session.output).to.not.match(/Traceback/);
    });
});

describe("every chart readable on a crowded world: 13 agents with long names", function () {
    let session: DemoSession;
    const overview = PAGES[0];

    before(async function () {
        this.timeout(DEMO_START_MS + 60_000);
        session = await crowdedDemo();
    });

    after(async function () {
        await session?.close();
    });

    it("has at least 12 agents, with names longer than any axis has room for", async function () {
        await session.visit(overview);
        expect(Number(await metricValue(session.page, "Agents"))).to.be.at.least(12);
    });

    for (const spec of PAGES) {
        it(`draws every chart of ${spec.title} readably`, async function () {
            await session.visit(spec);
            await noException(session);
            await session.screenshot(path.join(SCREENSHOTS, `crowded-${spec.file}.png`));
            expect(await unreadable(session, spec, DEFAULT_WINDOW)).to.deep.equal([]);
        });
    }

    it("draws the Overview's time axes in the unit of each window's bucket", async function () {
        this.timeout(Object.keys(WINDOW_BUCKETS).length * 120_000);
        await session.visit(overview);
        const found: string[] = [];
        for (const window of Object.keys(WINDOW_BUCKETS)) {
            // The Overview's caption names the window compared against ("against the previous 30 days").
            await session.chooseWindow(window, overview, `against the ${window.toLowerCase().replace("last ", "previous ")}`);
            await noException(session);
            const charts = await drawnCharts(session.page);
            expect(charts.length, `charts in the ${window.toLowerCase()}`).to.be.at.least(3);
            found.push(...(await unreadable(session, overview, window)).map((problem) => `${window}: ${problem}`));
        }
        await session.chooseWindow(DEFAULT_WINDOW, overview, `against the ${DEFAULT_WINDOW.toLowerCase().replace("last ", "previous ")}`);
        expect(found).to.deep.equal([]);
    });
});
