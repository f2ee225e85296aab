// `pulumi up` and `pulumi preview` run the compiled program and policy pack in bin/ (Pulumi's
// built-in TypeScript type-checks both on every start). Compiled output goes stale the moment a
// source changes, and deploying stale code is worse than a slow start. So `npm run build` removes
// the stamp, compiles (nothing is written if any file fails to type-check), then stamps bin/ with
// a digest of the sources; the compiled program and pack refuse to run when the sources no longer
// match it.

import { RunError } from "@pulumi/pulumi/errors";
import { createHash } from "crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "fs";
import * as path from "path";

/** What bin/ is built from, relative to the project: the sources, the compiler settings, and the .js files shipped to nodes. */
const SOURCE_ROOTS = ["index.ts", "components", "stacks", "scripts", "policy", "tsconfig.json", "tsconfig.build.json"];
const SOURCE_FILE = /\.(ts|js|json)$/;

/** Where `npm run build` writes the digest, inside the build's output folder. */
export const STAMP_FILE = ".source-digest";

/** Every source file under the roots, as sorted project-relative paths. */
export function sourceFiles(projectDir: string): string[] {
    const out: string[] = [];
    const walk = (rel: string) => {
        const abs = path.join(projectDir, rel);
        if (!existsSync(abs)) return;
        if (statSync(abs).isDirectory()) for (const name of readdirSync(abs)) walk(path.join(rel, name));
        else if (SOURCE_FILE.test(rel)) out.push(rel.split(path.sep).join("/"));
    };
    SOURCE_ROOTS.forEach(walk);
    return out.sort();
}

/** sha256 over each source file's path and bytes: changes when any source is edited, added or removed. */
export function sourceDigest(projectDir: string): string {
    const hash = createHash("sha256");
    for (const rel of sourceFiles(projectDir)) hash.update(`${rel}\0`).update(readFileSync(path.join(projectDir, rel))).update("\0");
    return hash.digest("hex");
}

/** Records the digest of the sources beside the compiled output (the last step of `npm run build`). */
export function writeStamp(projectDir: string, outDir: string): void {
    writeFileSync(path.join(outDir, STAMP_FILE), `${sourceDigest(projectDir)}\n`);
}

/** Why the compiled output in outDir cannot run against the sources in projectDir, or undefined when it can. */
export function staleness(projectDir: string, outDir: string): string | undefined {
    const stampPath = path.join(outDir, STAMP_FILE);
    const rebuild = "run `npm run build` and try again";
    if (!existsSync(stampPath)) return `${path.relative(projectDir, outDir) || outDir}/ has no build stamp: ${rebuild}`;
    if (readFileSync(stampPath, "utf8").trim() !== sourceDigest(projectDir)) {
        return `${path.relative(projectDir, outDir) || outDir}/ was compiled from different sources than the ones here: ${rebuild}`;
    }
    return undefined;
}

/**
 * Stops compiled code whose sources changed since `npm run build`; `outDir` is the build's root
 * (bin/), whose parent is the project. Code running from its .ts sources (ts-node: tests, the
 * offline plan) has nothing to check.
 */
export function assertFreshBuild(programFile: string, outDir: string): void {
    if (programFile.endsWith(".ts")) return;
    const problem = staleness(path.dirname(outDir), outDir);
    if (problem) throw new RunError(problem);
}

// `node bin/stacks/freshness.js --write`: the stamp step of `npm run build`.
if (require.main === module && process.argv[2] === "--write") {
    const outDir = path.resolve(__dirname, "..");
    writeStamp(path.dirname(outDir), outDir);
}
