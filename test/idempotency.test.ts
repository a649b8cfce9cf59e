import { expect } from "chai";
import * as path from "path";
import type { ResourceProvider } from "@pulumi/pulumi/dynamic";

import { buildOffline, OfflineBuild, PROJECT_ROOT, RecordedResource } from "../plan/offline";
import { isSecret } from "../policy/subject";
import { aiObservabilityAccessKind } from "../provider/aiObservabilityAccess";
import { grantKind } from "../provider/grant";
import { procedureKind } from "../provider/procedure";
import { ChangeMode, fingerprint, fingerprintProperty } from "../provider/resource";
import { streamlitFromFolderKind } from "../provider/streamlitFromFolder";
import { streamlitFromGitKind } from "../provider/streamlitFromGit";

/**
 * A second deployment is a no-op as far as this repository decides it: building a stack again
 * (at another time, with other random numbers, with directories listed in another order)
 * gives byte-identical resource inputs, and every dynamic provider, loaded from its serialized
 * code as the engine loads it, finds nothing to change between what it recorded and the same
 * inputs. (The Snowflake provider's own diff is outside this repository.)
 */

/** The module object itself (not an import namespace), so a test can swap its functions. */
const fs: typeof import("fs") = require("fs");

const requireFromString: (code: string) => { handler(): ResourceProvider } =
    require(require.resolve("require-from-string", { paths: [path.dirname(require.resolve("@pulumi/pulumi"))] }));

const TOKEN = "ghp_IdempotencyTestToken0123456789abcdef";
const VARIANTS: { label: string; stack: string; overrides: Record<string, string>; secrets: string[] }[] = [
    { label: "dev (dashboard from the folder)", stack: "dev", overrides: {}, secrets: [] },
    { label: "prod (dashboard from Git)", stack: "prod", overrides: {}, secrets: [] },
    { label: "prod with a Git token", stack: "prod", overrides: { "wallmonitor:gitToken": TOKEN }, secrets: ["wallmonitor:gitToken"] },
];

/** Each resource's identity, inputs (JSON, key order included) and options, sorted by identity. */
function fingerprintBuild(build: OfflineBuild): string[] {
    return build.resources.map((resource) => `${resource.type}::${resource.name} protect=${resource.protect} ` +
        `retainOnDelete=${resource.retainOnDelete} ${JSON.stringify(resource.inputs)}`).sort();
}

/** Runs `body` with the clock three days and five hours ahead, other random numbers and directories listed backwards. */
async function inAnotherWorld<T>(body: () => Promise<T>): Promise<T> {
    const RealDate = Date;
    const shift = (3 * 24 + 5) * 3600 * 1000 + 1234;
    class ShiftedDate extends RealDate {
        constructor(...args: unknown[]) {
            if (args.length === 0) {
                super(RealDate.now() + shift);
            } else {
                super(...(args as [string]));
            }
        }
        static now(): number {
            return RealDate.now() + shift;
        }
    }
    const realRandom = Math.random;
    let seed = 7;
    const realReaddirSync = fs.readdirSync;
    const realReaddir = fs.promises.readdir;
    (globalThis as { Date: DateConstructor }).Date = ShiftedDate as DateConstructor;
    Math.random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    (fs as { readdirSync: unknown }).readdirSync = (...args: unknown[]) =>
        [...(realReaddirSync as (...a: unknown[]) => unknown[])(...args)].reverse();
    (fs.promises as { readdir: unknown }).readdir = async (...args: unknown[]) =>
        [...await (realReaddir as (...a: unknown[]) => Promise<unknown[]>)(...args)].reverse();
    try {
        return await body();
    } finally {
        (globalThis as { Date: DateConstructor }).Date = RealDate;
        Math.random = realRandom;
        (fs as { readdirSync: unknown }).readdirSync = realReaddirSync;
        (fs.promises as { readdir: unknown }).readdir = realReaddir;
    }
}

/** The kinds whose every property's change mode is known here; other dynamic kinds get the generic check only. */
const KINDS: Record<string, { properties: Record<string, ChangeMode>; secretInputs?: readonly string[] }> = {
    "pulumi-nodejs:dynamic/wallmonitor:AiObservabilityAccess": aiObservabilityAccessKind,
    "pulumi-nodejs:dynamic/wallmonitor:StreamlitFromFolder": streamlitFromFolderKind,
    "pulumi-nodejs:dynamic/wallmonitor:StreamlitFromGit": streamlitFromGitKind,
    "pulumi-nodejs:dynamic/wallmonitor:Grant": grantKind,
    "pulumi-nodejs:dynamic/wallmonitor:Procedure": procedureKind,
};

/** What the engine hands a dynamic provider: secrets unwrapped to their plain values. */
function plain(inputs: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(inputs).filter(([key]) => key !== "__provider")
        .map(([key, value]) => [key, isSecret(value) ? (value as { value: unknown }).value : value]));
}

/** The state a create records: the inputs as JSON round-trips them, secret inputs as their fingerprint, plus computed outputs. */
function recordedState(resource: RecordedResource, secretInputs: readonly string[]): Record<string, unknown> {
    const state: Record<string, unknown> = { ...JSON.parse(JSON.stringify(plain(resource.inputs))), computedAt: "2026-01-01T00:00:00Z" };
    for (const property of secretInputs) {
        if (state[property] !== undefined) {
            state[fingerprintProperty(property)] = fingerprint(String(state[property]));
            delete state[property];
        }
    }
    return { ...state, __provider: "the code an earlier deployment serialized" };
}

/** A value of the same shape that differs. */
function mutate(value: unknown): unknown {
    if (typeof value === "string") {
        return `${value}_CHANGED`;
    }
    if (typeof value === "number") {
        return value + 1;
    }
    if (typeof value === "boolean") {
        return !value;
    }
    if (Array.isArray(value)) {
        return [...value, "EXTRA"];
    }
    if (value !== null && typeof value === "object") {
        return { ...(value as object), extraForTest: "CHANGED" };
    }
    return "SET";
}

for (const variant of VARIANTS) {
    describe(`idempotency: the ${variant.label} stack`, () => {
        let first: OfflineBuild;

        before(async () => {
            first = await buildOffline(variant.stack, variant.overrides, variant.secrets);
        });

        it("builds byte-identical inputs again at another time, with other random numbers and directory order", async () => {
            const listed = fs.readdirSync(PROJECT_ROOT);
            const second = await inAnotherWorld(async () => {
                // The world really is another one.
                expect(fs.readdirSync(PROJECT_ROOT)).to.deep.equal([...listed].reverse());
                expect(Math.abs(Date.now() - new Date().getTime())).to.be.lessThan(1000);
                expect(new Date().getTime() - performance.timeOrigin - performance.now()).to.be.greaterThan(3 * 24 * 3600 * 1000);
                return buildOffline(variant.stack, variant.overrides, variant.secrets);
            });
            expect(second.resources.length).to.equal(first.resources.length);
            expect(fingerprintBuild(second)).to.deep.equal(fingerprintBuild(first));
        });

        it("has dynamic providers that find nothing to change in what they recorded, and every real change", async () => {
            const dynamic = first.resources.filter((resource) => resource.type.startsWith("pulumi-nodejs:dynamic/"));
            expect(dynamic.length).to.be.greaterThan(0);
            for (const resource of dynamic) {
                const provider = requireFromString(resource.inputs.__provider as string).handler();
                const kind = KINDS[resource.type];
                const news = plain(resource.inputs);
                const olds = recordedState(resource, kind?.secretInputs ?? []);
                expect(await provider.diff!("id", olds, news), resource.name).to.deep.equal({ changes: false, replaces: [] });
                if (kind === undefined) {
                    continue;
                }
                expect(Object.keys(news).sort(), resource.name).to.deep.equal(Object.keys(kind.properties).filter((key) => news[key] !== undefined).sort());
                for (const [property, mode] of Object.entries(kind.properties)) {
                    const changed = await provider.diff!("id", olds, { ...news, [property]: mutate(news[property]) });
                    expect(changed, `${resource.name}.${property} (${mode})`).to.deep.equal(mode === "none"
                        ? { changes: false, replaces: [] }
                        : { changes: true, replaces: mode === "replace" ? [property] : [] });
                }
            }
        });
    });
}
