import { AccountRole } from "../lib/config/org";

/** A stack to roll out and its wallmonitor:accountRole. */
export interface StackRole {
    readonly name: string;
    readonly role: AccountRole;
}

/** The reason a wave plan is refused; the rollout starts nothing. */
export class WavePlanError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "WavePlanError";
    }
}

/**
 * The waves stacks are updated in. Without explicit waves: standalone and member stacks first
 * (in the order given), the central stacks last, so that every share exists before the central
 * account creates a database from it. Explicit waves (for example dev before prod) must name
 * each selected stack exactly once and may not put a central stack before a member.
 */
export function planWaves(stacks: readonly StackRole[], explicit?: readonly (readonly string[])[]): string[][] {
    if (stacks.length === 0) {
        throw new WavePlanError("no stacks selected");
    }
    const names = stacks.map((stack) => stack.name);
    const duplicate = names.find((name, index) => names.indexOf(name) !== index);
    if (duplicate !== undefined) {
        throw new WavePlanError(`stack ${duplicate} is selected twice`);
    }
    if (explicit === undefined) {
        const first = stacks.filter((stack) => stack.role !== "central").map((stack) => stack.name);
        const last = stacks.filter((stack) => stack.role === "central").map((stack) => stack.name);
        return [first, last].filter((wave) => wave.length > 0);
    }
    const waves = explicit.map((wave) => [...wave]).filter((wave) => wave.length > 0);
    const placed = waves.flat();
    const twice = placed.find((name, index) => placed.indexOf(name) !== index);
    if (twice !== undefined) {
        throw new WavePlanError(`stack ${twice} is in more than one wave`);
    }
    const unknown = placed.filter((name) => !names.includes(name));
    if (unknown.length > 0) {
        throw new WavePlanError(`waves name stacks that are not selected: ${unknown.join(", ")}`);
    }
    const missing = names.filter((name) => !placed.includes(name));
    if (missing.length > 0) {
        throw new WavePlanError(`stacks in no wave: ${missing.join(", ")}; add them to a wave`);
    }
    const waveOf = (name: string) => waves.findIndex((wave) => wave.includes(name));
    const roleOf = (name: string) => stacks.find((stack) => stack.name === name)!.role;
    for (const central of names.filter((name) => roleOf(name) === "central")) {
        const later = names.filter((name) => roleOf(name) === "member" && waveOf(name) >= waveOf(central));
        if (later.length > 0) {
            throw new WavePlanError(`central stack ${central} is in wave ${waveOf(central) + 1}, not after member ` +
                `${later.join(", ")}: a member's share must exist before the central account reads it`);
        }
    }
    return waves;
}
