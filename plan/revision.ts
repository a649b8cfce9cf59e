import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { PROJECT_ROOT } from "./offline";

/**
 * Another revision of this repository, extracted with `git archive` into a temporary folder
 * (the working tree and the index are untouched), with this checkout's node_modules linked in
 * so its program builds on the same Pulumi runtime.
 */
export interface Revision {
    /** What the caller asked for, such as `origin/main`. */
    readonly ref: string;
    /** The full commit it resolved to. */
    readonly commit: string;
    readonly root: string;
    dispose(): void;
}

function git(args: string[], options: { input?: Buffer } = {}): Buffer {
    return execFileSync("git", args, { cwd: PROJECT_ROOT, input: options.input, maxBuffer: 512 * 1024 * 1024, stdio: ["pipe", "pipe", "pipe"] });
}

export function extractRevision(ref: string): Revision {
    let commit: string;
    try {
        commit = git(["rev-parse", "--verify", "--end-of-options", `${ref}^{commit}`]).toString().trim();
    } catch {
        throw new Error(`--against ${ref}: not a commit in this repository (fetch it first, for example git fetch origin main)`);
    }
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "wallmonitor-plan-"));
    try {
        const archive = git(["archive", "--format=tar", commit]);
        execFileSync("tar", ["-x", "-C", root], { input: archive, maxBuffer: 64 * 1024 * 1024 });
        fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(root, "node_modules"), "dir");
    } catch (error) {
        fs.rmSync(root, { recursive: true, force: true });
        throw error;
    }
    return { ref, commit, root, dispose: () => fs.rmSync(root, { recursive: true, force: true }) };
}
