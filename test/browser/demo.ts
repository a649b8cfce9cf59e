/**
 * The local demo (`python -m demo`) and headless Debian Chromium, for the browser tests and the
 * screenshot script: start a demo world on a free port, open a browser on it, visit the pages
 * through the sidebar as a person would.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { BrowserContext, chromium, Page } from "playwright-core";

export const ROOT = path.resolve(__dirname, "..", "..");
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
];
export const DEMO_START_MS = 240_000;
export const VIEWPORT = { width: 1440, height: 1000 };

export interface DashboardPage {
    readonly title: string;
    readonly file: string;
    /** Labels of the metrics that must show a value. */
    readonly headline: readonly string[];
    /** How many charts the page draws on the demo's worlds in the default window (those in a
     * closed expander not counted). */
    readonly charts: number;
}

export const PAGES: readonly DashboardPage[] = [
    { title: "Overview", file: "overview", headline: ["Active threads", "Users", "Agents", "Turns", "Tokens", "p95 latency", "Error rate"], charts: 4 },
    { title: "Threads", file: "threads", headline: ["Turns", "Tool calls", "Failed spans"], charts: 1 },
    { title: "Agents", file: "agents", headline: ["Agents", "Turns", "Tokens per turn"], charts: 4 },
    { title: "Users", file: "users", headline: ["Users", "Turns per user"], charts: 1 },
    { title: "Errors", file: "errors", headline: ["Failed turns", "Failed tool and model calls", "Failing tools"], charts: 2 },
    // Comments show "—" and a note: the demo's dev stack stores no typed text (test/streamlit/test_text_notes.py).
    { title: "Feedback", file: "feedback", headline: ["Ratings", "Positive", "Negative"], charts: 2 },
    { title: "Pipeline health", file: "pipeline-health", headline: ["Active agents", "Healthy", "Failing", "Last refresh", "Ingest path"], charts: 1 },
    { title: "Alerts", file: "alerts", headline: ["Open incidents", "Critical", "Fired", "Recovered"], charts: 0 },
    { title: "Cost", file: "cost", headline: ["Spend", "Credits", "Estimated", "Requests matched to usage", "Unassigned"], charts: 5 },
    // The demo world's first agent runs a worse canary (demo/world.py CANARY).
    { title: "Versions", file: "versions", headline: ["Overall verdict", "Turns compared", "Confidence"], charts: 2 },
    // The demo sets objectives for its agents (demo/world.py DEMO_SLOS).
    { title: "SLOs", file: "slos", headline: ["Objectives", "Meeting target", "Out of budget"], charts: 1 },
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

/** A running demo and a browser on it. */
export class DemoSession {
    output = "";
    page!: Page;
    private context?: BrowserContext;
    private profile?: string;

    private constructor(readonly demo: ChildProcess, readonly url: string) {}

    /** Starts `python -m demo` with ``demoArgs`` and opens Chromium on it. */
    static async start(demoArgs: readonly string[] = []): Promise<DemoSession> {
        if (!fs.existsSync(CHROMIUM)) {
            throw new Error(`${CHROMIUM} is missing: run \`bash scripts/setup-browser.sh\``);
        }
        const port = await freePort();
        const demo = spawn(path.join(ROOT, ".venv", "bin", "python"), ["-m", "demo", "--port", String(port), ...demoArgs], {
            cwd: ROOT,
            env: { ...process.env, SNOWFLAKE_LOG_LEVEL: "OFF", PYTHONUNBUFFERED: "1" },
            stdio: ["ignore", "pipe", "pipe"],
        });
        const session = new DemoSession(demo, `http://127.0.0.1:${port}`);
        demo.stdout!.on("data", (chunk) => { session.output += chunk; });
        demo.stderr!.on("data", (chunk) => { session.output += chunk; });
        try {
            await session.waitForHealth();
            session.profile = fs.mkdtempSync(path.join(os.tmpdir(), "wallmonitor-chromium-"));
            session.context = await chromium.launchPersistentContext(session.profile, {
                executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, viewport: VIEWPORT,
            });
            session.page = session.context.pages()[0] ?? await session.context.newPage();
        } catch (error) {
            await session.close();
            throw error;
        }
        return session;
    }

    private async waitForHealth(): Promise<void> {
        const deadline = Date.now() + DEMO_START_MS;
        while (Date.now() < deadline) {
            if (this.demo.exitCode !== null) {
                throw new Error(`the demo exited with ${this.demo.exitCode}:\n${this.output}`);
            }
            try {
                const response = await fetch(`${this.url}/_stcore/health`);
                if (response.ok && (await response.text()).trim() === "ok") {
                    return;
                }
            } catch {
                // not listening yet
            }
            await new Promise((resolve) => setTimeout(resolve, 500));
        }
        throw new Error(`the demo did not serve ${this.url} within ${DEMO_START_MS / 1000} s:\n${this.output}`);
    }

    /** Opens a page as a person would: Overview by the URL, the others through the sidebar. */
    async visit(spec: DashboardPage): Promise<void> {
        if (spec.title === "Overview" && !this.page.url().startsWith(this.url)) {
            await this.page.goto(this.url);
        } else {
            await this.page.getByTestId("stSidebarNav").getByText(spec.title, { exact: true }).click();
        }
        await settled(this.page, spec);
    }

    /** Chooses a time window in the sidebar and waits for the page to redraw. `shows`: text the
     * page draws only for this window; waiting for it first keeps a slow rerun, not yet visibly
     * started, from passing the settle check with the previous window's page still on screen. */
    async chooseWindow(label: string, spec: DashboardPage, shows?: string): Promise<void> {
        await this.page.getByTestId("stSidebar").getByText(label, { exact: true }).click();
        if (shows !== undefined) {
            await this.page.getByTestId("stMain").getByText(shows).first().waitFor({ timeout: 90_000 });
        }
        await settled(this.page, spec);
    }

    /** The whole page in one image: Streamlit scrolls inside the page, so the window grows to it. */
    async screenshot(file: string): Promise<void> {
        const height = await this.page.evaluate(`Math.max(${VIEWPORT.height}, ...[...document.querySelectorAll(
            '[data-testid="stMainBlockContainer"], [data-testid="stSidebarContent"]')].map((e) => e.scrollHeight + 120))`) as number;
        await this.page.setViewportSize({ width: VIEWPORT.width, height: Math.ceil(height) });
        await this.page.waitForTimeout(1_000);
        await this.page.screenshot({ path: file });
        await this.page.setViewportSize(VIEWPORT);
    }

    /** Ctrl-C: resolves with the demo's exit code, or "timeout". */
    async interrupt(): Promise<number | null | "timeout"> {
        const exited = new Promise<number | null>((resolve) => this.demo.once("exit", (code) => resolve(code)));
        this.demo.kill("SIGINT");
        return await Promise.race([exited, new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 30_000))]);
    }

    async close(): Promise<void> {
        await this.context?.close();
        if (this.profile) {
            fs.rmSync(this.profile, { recursive: true, force: true });
        }
        if (this.demo.exitCode === null) {
            this.demo.kill("SIGKILL");
        }
    }
}

/** How long a page's content must stay unchanged, with nothing running, to count as drawn. */
const QUIET_MS = 1_000;

/** Waits until the page's script has run: its headline metrics are drawn and nothing is running. */
export async function settled(page: Page, spec: DashboardPage): Promise<void> {
    await page.getByRole("heading", { name: spec.title, exact: true }).first().waitFor({ timeout: 90_000 });
    for (const label of spec.headline) {
        await page.getByTestId("stMetricLabel").filter({ hasText: new RegExp(`^${label}$`) }).first()
            .waitFor({ timeout: 90_000 });
    }
    // Settled means: no script running, no skeleton, no element left stale by a rerun, and the
    // page's content unchanged for a second. The quiet second covers both ways a page fools a
    // single check: Streamlit shows that a script runs only some time after it started, and
    // charts finish drawing after the script ends. It replaces fixed sleeps, which cost every
    // visit three seconds. A string, evaluated in the page: this project compiles without the DOM library.
    await page.evaluate("window.__wallmonitorSettle = undefined");
    await page.waitForFunction(`(() => {
        const busy = document.querySelector('[data-testid="stStatusWidget"] button')
            || document.querySelector('[data-testid="stSkeleton"]')
            || document.querySelector('[data-stale="true"]');
        const main = document.querySelector('[data-testid="stMain"]') || document.body;
        const signature = busy ? null : main.querySelectorAll('*').length + ':' + main.innerText.length;
        const seen = window.__wallmonitorSettle;
        if (signature === null || !seen || seen.signature !== signature) {
            window.__wallmonitorSettle = { signature, since: Date.now() };
            return false;
        }
        return Date.now() - seen.since >= ${QUIET_MS};
    })()`, undefined, { timeout: 90_000, polling: 200 });
}

export async function metricValue(page: Page, label: string): Promise<string> {
    const metric = page.getByTestId("stMetric").filter({
        has: page.getByTestId("stMetricLabel").filter({ hasText: new RegExp(`^${label}$`) }),
    }).first();
    return (await metric.getByTestId("stMetricValue").innerText()).trim();
}

/** Metric values Streamlit cuts off with an ellipsis: wider than their box. */
export async function cutOffMetrics(page: Page): Promise<string[]> {
    return await page.evaluate(`[...document.querySelectorAll('[data-testid="stMetricValue"]')]
        .filter((value) => [value, ...value.querySelectorAll('*')].some((e) => e.scrollWidth > e.clientWidth + 1))
        .map((value) => value.innerText.trim())`) as string[];
}
