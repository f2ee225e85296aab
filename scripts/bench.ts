// Measures, in one run, the wall time and peak memory (medians of several runs) of: the floor
// (loading @pulumi/aws), the build, the offline plan of each stack compiled (what `pulumi
// preview`/`up` load) and through ts-node (with and without type-checking), the test suite, and
// compiled plans of generated configs with 1, 5, 10 and 20 Sidekiq groups. Writes docs/benchmarks.md.
//
//   npm run bench [-- --runs 5]

import { spawnSync } from "child_process";
import { cpus, totalmem, tmpdir } from "os";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { parse, stringify } from "yaml";
import { MASTODON_QUEUES } from "../stacks/catalog";
import { runCli } from "./lib/cli";
import { PROJECT_DIR } from "./lib/stackFile";

interface Sample { seconds: number; rssMb: number }
interface Row { what: string; runs: number; seconds: number; rssMb: number }

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const RSS = path.join(PROJECT_DIR, "scripts/lib/peak-rss.js");
const TS = ["-r", "ts-node/register/transpile-only"];
/** ts-node as Pulumi's built-in TypeScript runs a program: type-checking it first. */
const TS_CHECKED = ["-r", "ts-node/register"];
const COMPILED_PLAN = "bin/scripts/plan.js";

/** Runs `node ...args` once; wall time from spawn to exit, peak RSS from the preload. */
function once(args: string[], dir: string): Sample {
    const rssFile = path.join(dir, "rss");
    const start = process.hrtime.bigint();
    const env: NodeJS.ProcessEnv = { ...process.env, BENCH_RSS_FILE: rssFile };
    delete env.TS_NODE_TRANSPILE_ONLY;
    const r = spawnSync(process.execPath, ["-r", RSS, ...args], { cwd: PROJECT_DIR, encoding: "utf8", env });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (r.status !== 0) throw new Error(`node ${args.join(" ")} failed:\n${r.stderr}`);
    return { seconds, rssMb: Number(readFileSync(rssFile, "utf8")) / 1024 };
}

function measure(what: string, args: string[], runs: number, dir: string): Row {
    const samples = [...Array(runs)].map(() => once(args, dir));
    const row = { what, runs, seconds: median(samples.map(s => s.seconds)), rssMb: median(samples.map(s => s.rssMb)) };
    console.error(`${what}: ${row.seconds.toFixed(2)} s, ${row.rssMb.toFixed(0)} MB`);
    return row;
}

/** Staging's config with n Sidekiq groups: one serving every queue (n = 1), or a scheduler group plus n - 1 sharing the rest. */
export function withGroups(stagingText: string, n: number): string {
    const doc = parse(stagingText) as { config: Record<string, unknown> };
    const base = (doc.config["mastodon:sidekiq"] as Record<string, unknown>[])[0];
    const rest = MASTODON_QUEUES.filter(q => q !== "scheduler");
    const groups = n === 1
        ? [{ ...base, name: "all", queues: [...MASTODON_QUEUES], min: 1, max: 1, onDemandBase: 1 }]
        : [
            { ...base, name: "scheduler", queues: ["scheduler"], min: 1, max: 1, onDemandBase: 1 },
            // Small pools, so 20 groups still fit staging's database (the guard would refuse them otherwise).
            ...[...Array(n - 1).keys()].map(i => ({ ...base, name: `g${i + 1}`, queues: rest, sharedQueues: rest, min: 1, max: 1, threads: 5 })),
        ];
    doc.config["mastodon:sidekiq"] = groups;
    return stringify(doc);
}

async function main(argv: string[]): Promise<number> {
    const { values } = parseArgs({ args: argv, options: { runs: { type: "string", default: "3" } } });
    const runs = Number(values.runs);
    const dir = mkdtempSync(path.join(tmpdir(), "bench-"));
    try {
        const rows: Row[] = [measure("floor: node -e \"require('@pulumi/aws')\"", ["-e", "require('@pulumi/aws')"], runs, dir)];
        rows.push(measure("npm run build (tsc to bin/)", ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], runs, dir));
        const stamp = spawnSync(process.execPath, ["bin/stacks/freshness.js", "--write"], { cwd: PROJECT_DIR, encoding: "utf8" });
        if (stamp.status !== 0) throw new Error(`stamping bin/ failed:\n${stamp.stderr}`);
        for (const stack of ["staging", "prod"]) {
            rows.push(measure(`plan of ${stack}, compiled (what pulumi preview/up load)`, [COMPILED_PLAN, "--stack", stack], runs, dir));
            rows.push(measure(`plan of ${stack}, ts-node transpile-only (npm run plan)`, [...TS, "scripts/plan.ts", "--stack", stack], runs, dir));
        }
        rows.push(measure("plan of prod, compiled, SDK stack captures off (experiment, not shipped)", ["-r", path.join(PROJECT_DIR, "scripts/lib/sdk-captures-off.js"), COMPILED_PLAN, "--stack", "prod"], runs, dir));
        rows.push(measure("plan of prod, ts-node type-checking (Pulumi's built-in TypeScript)", [...TS_CHECKED, "scripts/plan.ts", "--stack", "prod"], runs, dir));
        rows.push(measure("policy pack rules load, compiled (bin/policy/policies.js)", ["-e", "require('./bin/policy/policies.js')"], runs, dir));
        rows.push(measure("policy pack rules load, ts-node type-checking (Pulumi's default for a pack)", [...TS_CHECKED, "-e", "require('./policy/policies.ts')"], runs, dir));
        const staging = readFileSync(path.join(PROJECT_DIR, "Pulumi.staging.yaml"), "utf8");
        for (const n of [1, 5, 10, 20]) {
            const file = path.join(dir, `Pulumi.bench${n}.yaml`);
            writeFileSync(file, withGroups(staging, n));
            rows.push(measure(`plan with ${n} Sidekiq group${n > 1 ? "s" : ""}, compiled`, [COMPILED_PLAN, "--config", file], runs, dir));
        }
        rows.push(measure("test suite (mocha, after tsc)", ["node_modules/mocha/bin/mocha.js"], runs, dir));

        const floor = rows[0].seconds;
        const table = rows.map(r => `| ${r.what} | ${r.runs} | ${r.seconds.toFixed(2)} | ${(r.seconds / floor).toFixed(1)}x | ${r.rssMb.toFixed(0)} |`);
        const machine = `${cpus().length} x ${cpus()[0].model.trim()}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}`;
        writeFileSync(path.join(PROJECT_DIR, "docs/benchmarks.md"), `# Benchmarks

Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}, ${machine}. Each figure is the
median of the runs shown; wall time from process start to exit, peak resident memory of that process.
Timings on a shared machine are noisy: compare ratios within one run, not across runs.

| what | runs | median s | vs floor | peak MB |
|---|---|---|---|---|
${table.join("\n")}

\`pulumi preview\` and \`pulumi up\` load the compiled program (Pulumi.yaml turns the built-in
TypeScript off), so the compiled rows are what a deploy pays; the type-checking row is what it
would pay with Pulumi's default. Of a compiled plan, the floor is the load of @pulumi/pulumi and
@pulumi/aws; the rest is a few milliseconds per resource registered through the mock runtime,
most of it the SDK's own work: a stack trace captured and formatted for every resource (source
positions) and every registration promise (its leak detector), and a protobuf round trip.
"Speed" in README.md says what that leaves of the 1.5x target.
`);
        console.error("wrote docs/benchmarks.md");
        return 0;
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

if (require.main === module) runCli(main);
