/**
 * The dashboard as a person sees it: the local demo (`python -m demo`) serves the real app on the
 * emulator, and headless Debian Chromium, driven by playwright-core, visits every page through
 * the sidebar. Each page must show its headline numbers and no exception; a screenshot of each
 * goes to build/screenshots/. Finally Ctrl-C (SIGINT) must stop the demo cleanly.
 *
 * Needs /usr/bin/chromium (`bash scripts/setup-browser.sh`), .venv and node_modules
 * (`bash scripts/setup.sh`). Run with `npm run test:browser`. With WALLMONITOR_README_SCREENSHOT
 * set to a path, the Overview screenshot is also written there (docs/overview.png).
 */
import { expect } from "chai";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { BrowserContext, chromium, Page } from "playwright-core";

const ROOT = path.resolve(__dirname, "..", "..");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SCREENSHOTS = path.join(ROOT, "build", "screenshots");
const CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
];
const DEMO_START_MS = 120_000;

interface DashboardPage {
    readonly title: string;
    readonly file: string;
    /** Labels of the metrics that must show a value. */
    readonly headline: readonly string[];
}

const PAGES: readonly DashboardPage[] = [
    { title: "Overview", file: "overview", headline: ["Active threads", "Users", "Agents", "Turns", "Tokens", "p95 latency", "Error rate"] },
    { title: "Threads", file: "threads", headline: ["Threads", "Turns", "Threads with a failed turn", "Tool calls", "Failed spans"] },
    { title: "Agents", file: "agents", headline: ["Agents", "Turns", "Tokens per turn", "Busiest agent"] },
    { title: "Users", file: "users", headline: ["Users", "Turns per user", "Most active"] },
    { title: "Errors", file: "errors", headline: ["Failed turns", "Failed tool and model calls", "Failing tools"] },
    { title: "Feedback", file: "feedback", headline: ["Ratings", "Positive", "Negative", "Comments"] },
    { title: "Pipeline health", file: "pipeline-health", headline: ["Active agents", "Healthy", "Failing", "Last refresh", "Ingest path"] },
    { title: "Alerts", file: "alerts", headline: ["Open incidents", "Critical", "Fired", "Recovered"] },
    { title: "Cost", file: "cost", headline: ["Spend", "Credits", "Estimated", "Requests matched to usage", "Unassigned"] },
];

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
    });
}

async function waitForHealth(url: string, demo: ChildProcess, output: () => string): Promise<void> {
    const deadline = Date.now() + DEMO_START_MS;
    while (Date.now() < deadline) {
        if (demo.exitCode !== null) {
            throw new Error(`the demo exited with ${demo.exitCode}:\n${output()}`);
        }
        try {
            const response = await fetch(`${url}/_stcore/health`);
            if (response.ok && (await response.text()).trim() === "ok") {
                return;
            }
        } catch {
            // not listening yet
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw new Error(`the demo did not serve ${url} within ${DEMO_START_MS / 1000} s:\n${output()}`);
}

/** Waits until the page's script has run: its headline metrics are drawn and nothing is running. */
async function settled(page: Page, spec: DashboardPage): Promise<void> {
    await page.getByRole("heading", { name: spec.title, exact: true }).first().waitFor({ timeout: 60_000 });
    for (const label of spec.headline) {
        await page.getByTestId("stMetricLabel").filter({ hasText: new RegExp(`^${label}$`) }).first()
            .waitFor({ timeout: 60_000 });
    }
    // A string, evaluated in the page: this project compiles without the DOM library.
    await page.waitForFunction(`!document.querySelector('[data-testid="stStatusWidget"] button')
        && document.querySelectorAll('[data-testid="stSkeleton"]').length === 0`, undefined, { timeout: 60_000 });
    await page.waitForTimeout(1_500); // charts finish drawing after the script ends
}

async function metricValue(page: Page, label: string): Promise<string> {
    const metric = page.getByTestId("stMetric").filter({
        has: page.getByTestId("stMetricLabel").filter({ hasText: new RegExp(`^${label}$`) }),
    }).first();
    return (await metric.getByTestId("stMetricValue").innerText()).trim();
}

describe("the dashboard in Chromium, served by the local demo", function () {
    let demo: ChildProcess;
    let demoOutput = "";
    let context: BrowserContext;
    let page: Page;
    let url: string;
    let profile: string;

    before(async function () {
        if (!fs.existsSync(CHROMIUM)) {
            throw new Error(`${CHROMIUM} is missing: run \`bash scripts/setup-browser.sh\``);
        }
        fs.mkdirSync(SCREENSHOTS, { recursive: true });
        const port = await freePort();
        url = `http://127.0.0.1:${port}`;
        demo = spawn(path.join(ROOT, ".venv", "bin", "python"), ["-m", "demo", "--port", String(port)], {
            cwd: ROOT,
            env: { ...process.env, SNOWFLAKE_LOG_LEVEL: "OFF", PYTHONUNBUFFERED: "1" },
            stdio: ["ignore", "pipe", "pipe"],
        });
        demo.stdout!.on("data", (chunk) => { demoOutput += chunk; });
        demo.stderr!.on("data", (chunk) => { demoOutput += chunk; });
        await waitForHealth(url, demo, () => demoOutput);

        profile = fs.mkdtempSync(path.join(os.tmpdir(), "wallmonitor-chromium-"));
        context = await chromium.launchPersistentContext(profile, {
            executablePath: CHROMIUM,
            headless: true,
            args: CHROMIUM_FLAGS,
            viewport: { width: 1440, height: 1000 },
        });
        page = context.pages()[0] ?? await context.newPage();
    });

    after(async function () {
        await context?.close();
        if (profile) {
            fs.rmSync(profile, { recursive: true, force: true });
        }
        if (demo && demo.exitCode === null) {
            demo.kill("SIGKILL");
        }
    });

    for (const spec of PAGES) {
        it(`shows ${spec.title} with its headline numbers and no exception`, async function () {
            if (spec.title === "Overview") {
                await page.goto(url);
            } else {
                await page.getByTestId("stSidebarNav").getByText(spec.title, { exact: true }).click();
            }
            await settled(page, spec);
            for (const label of spec.headline) {
                const value = await metricValue(page, label);
                expect(value, label).to.match(/\S/);
                expect(value, label).to.not.equal("—");
            }
            expect(await page.getByTestId("stException").count(), "exceptions on the page").to.equal(0);
            if (spec.title === "Overview" && process.env.WALLMONITOR_README_SCREENSHOT) {
                await page.screenshot({ path: path.resolve(ROOT, process.env.WALLMONITOR_README_SCREENSHOT) });
            }
            // Streamlit scrolls inside the page, so a tall window shows the whole page.
            await page.setViewportSize({ width: 1440, height: 2600 });
            await page.waitForTimeout(1_000);
            await page.screenshot({ path: path.join(SCREENSHOTS, `${spec.file}.png`) });
            await page.setViewportSize({ width: 1440, height: 1000 });
        });
    }

    it("stops the demo cleanly on Ctrl-C", async function () {
        const exited = new Promise<number | null>((resolve) => demo.once("exit", (code) => resolve(code)));
        demo.kill("SIGINT");
        const code = await Promise.race([exited, new Promise<string>((resolve) => setTimeout(() => resolve("timeout"), 30_000))]);
        expect(code, demoOutput).to.equal(0);
        expect(demoOutput).to.include("[wallmonitor demo] stopped");
        expect(demoOutput).to.not.match(/Traceback/);
    });
});
