import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { PROJECT_ROOT } from "../plan/offline";

/**
 * Issue 18, step 3: no module imports itself through others. A loop makes what a module sees
 * at load time depend on which module was loaded first (a constant read before its module has
 * run is undefined). Type-only imports are left out: they vanish from the compiled program.
 */

const SOURCE_FOLDERS = ["lib", "components", "provider", "policy", "plan", "privileges", "rollout", "scripts"];
const STATIC_IMPORT = /^(?:import|export)\s+(?!type\s)[^;]*?\bfrom\s+"(\.{1,2}\/[^"]+)"/gms;

function sourceFiles(folder: string): string[] {
    return fs.readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
        const file = path.join(folder, entry.name);
        return entry.isDirectory() ? sourceFiles(file) : file.endsWith(".ts") ? [file] : [];
    });
}

function importsOf(file: string): string[] {
    const text = fs.readFileSync(file, "utf8");
    return [...text.matchAll(STATIC_IMPORT)].flatMap(([, specifier]) => {
        const target = path.resolve(path.dirname(file), specifier);
        return [`${target}.ts`, path.join(target, "index.ts")].filter((candidate) => fs.existsSync(candidate)).slice(0, 1);
    });
}

/** Each loop once, as the files on it (relative to the root), from a depth-first walk. */
function importLoops(files: readonly string[]): string[][] {
    const graph = new Map(files.map((file) => [file, importsOf(file)]));
    const state = new Map<string, "open" | "done">();
    const stack: string[] = [];
    const loops: string[][] = [];
    const visit = (file: string): void => {
        state.set(file, "open");
        stack.push(file);
        for (const target of graph.get(file) ?? []) {
            if (!graph.has(target)) {
                continue;
            }
            if (state.get(target) === "open") {
                loops.push(stack.slice(stack.indexOf(target)).map((member) => path.relative(PROJECT_ROOT, member)));
            } else if (state.get(target) === undefined) {
                visit(target);
            }
        }
        stack.pop();
        state.set(file, "done");
    };
    for (const file of graph.keys()) {
        if (state.get(file) === undefined) {
            visit(file);
        }
    }
    return loops;
}

describe("imports (issue 18, step 3)", () => {
    const files = [path.join(PROJECT_ROOT, "index.ts"), ...SOURCE_FOLDERS.flatMap((folder) => sourceFiles(path.join(PROJECT_ROOT, folder)))];

    it("form no loop", () => {
        expect(files.length).to.be.greaterThan(50);
        expect(importLoops(files)).to.deep.equal([]);
    });

    it("would report the loop that lib/config/stack.ts and lib/config/cost.ts formed", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "wallmonitor-loop-"));
        try {
            fs.writeFileSync(path.join(root, "stack.ts"), 'import { CostConfig } from "./cost";\nexport const DEFAULTS = {};\n');
            fs.writeFileSync(path.join(root, "cost.ts"), 'import { DEFAULTS } from "./stack";\nimport type { X } from "./types";\n');
            fs.writeFileSync(path.join(root, "types.ts"), 'import { DEFAULTS } from "./stack";\n');
            const loops = importLoops(sourceFiles(root));
            expect(loops).to.have.length(1);
            expect(loops[0].map((file) => path.basename(file)).sort()).to.deep.equal(["cost.ts", "stack.ts"]);
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });
});
