/**
 * `npm run screenshots`: a screenshot of every dashboard page, from the local demo in headless
 * Chromium, into docs/screenshots/<page>.png (the gallery docs/screenshots/README.md shows them;
 * the README shows the Overview). `npm run screenshots -- --world crowded` takes them of the
 * crowded world (13 agents with long names) into build/screenshots/crowded/ instead, to look at,
 * not to commit.
 *
 * Needs what the browser test needs: /usr/bin/chromium (`bash scripts/setup-browser.sh`), .venv
 * and node_modules (`bash scripts/setup.sh`). Exit codes: 0 written, 1 failed, 2 bad arguments.
 */
import * as fs from "fs";
import * as path from "path";

import { DemoSession, PAGES, ROOT } from "../test/browser/demo";

const USAGE = "usage: npm run screenshots -- [--world default|crowded]";

async function main(argv: string[]): Promise<number> {
    let world = "default";
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === "--world" && ["default", "crowded"].includes(argv[i + 1])) {
            world = argv[++i];
        } else {
            console.error(argv[i] === "--help" ? USAGE : `screenshots: unknown argument ${argv[i]}\n${USAGE}`);
            return argv[i] === "--help" ? 0 : 2;
        }
    }
    const folder = world === "default" ? path.join(ROOT, "docs", "screenshots") : path.join(ROOT, "build", "screenshots", world);
    fs.mkdirSync(folder, { recursive: true });
    console.error(`screenshots: starting the demo (${world} world)…`);
    const session = await DemoSession.start(world === "default" ? [] : ["--world", world]);
    try {
        for (const spec of PAGES) {
            await session.visit(spec);
            const file = path.join(folder, `${spec.file}.png`);
            await session.screenshot(file);
            console.error(`screenshots: ${path.relative(ROOT, file)}`);
        }
    } finally {
        await session.close();
    }
    return 0;
}

main(process.argv.slice(2)).then((code) => process.exit(code), (error) => {
    console.error(`screenshots: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
});
