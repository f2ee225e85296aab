// Resizing, the change operators make most often: the file edit keeps everything else byte for
// byte, a refused resize writes nothing, and any resize touches only its own group.

import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { INSTANCE_FAMILIES } from "../stacks/catalog";
import { roleGroups } from "../stacks/roles";
import { diffPlans } from "../scripts/lib/diff";
import { PROJECT_DIR, readStack } from "../scripts/lib/stackFile";
import { applyResize, Resize, validateText } from "../scripts/resize";
import { configOf, inputWith, planInput, planOf, STACKS } from "./support/plans";
import { writeTree } from "./support/tools";

const text = (stack: string) => readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8");

/** Lines that differ between two texts of equal line count. */
const changedLines = (a: string, b: string) => {
    const [x, y] = [a.split("\n"), b.split("\n")];
    assert.equal(x.length, y.length);
    return x.map((l, i) => [l, y[i]]).filter(([l, m]) => l !== m);
};

/** Types a resize must never touch: data, the CDN, the network, security groups and secrets. */
const NEVER = [
    "aws:rds/", "aws:elasticache/", "aws:s3/", "aws:cloudfront/", "aws:ec2/vpc:", "aws:ec2/subnet:", "aws:ec2/securityGroup:",
    "aws:vpc/", "random:", "aws:secretsmanager/", "aws:ssm/", "aws:ec2/natGateway:", "aws:lb/",
];

/** A different valid size for a group: the next one every family is sold in. */
function otherSize(families: string[], size: string): string {
    const sizes = INSTANCE_FAMILIES[families[0]].sizes.filter(s => families.every(f => INSTANCE_FAMILIES[f].sizes.includes(s)));
    return sizes[(sizes.indexOf(size) + 1) % sizes.length];
}

describe("npm run resize", () => {
    it("edits only the values asked for, keeping comments and order", () => {
        const before = text("prod");
        const after = applyResize(before, "prod", "sidekiq-push", { size: "2xlarge", families: ["c7i", "c6i"], max: 8 });
        assert.deepEqual(changedLines(before, after), [
            ["      families: [c7i, c6i, c6a]", "      families: [c7i, c6i]"],
            ["      size: xlarge", "      size: 2xlarge"],
            ["      max: 6", "      max: 8"],
        ]);
        assert.ok(after.includes("pumaWorkers: 8   # the article's WEB_CONCURRENCY"));
        assert.equal(validateText(after, "prod").sidekiq.find(g => g.name === "push")!.size, "2xlarge");
    });

    it("names the roles a stack has when asked for one it lacks", () => {
        assert.throws(() => applyResize(text("staging"), "staging", "sidekiq-push", { max: 3 }), /roles of this stack: web, streaming, sidekiq-main, sidekiq-scheduler/);
    });

    describe("as a command", () => {
        let dir: string;
        const resize = (...args: string[]) => spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/resize.ts", "--dir", dir, ...args], { cwd: PROJECT_DIR, encoding: "utf8" });
        beforeEach(() => {
            dir = mkdtempSync(path.join(tmpdir(), "resize-"));
            for (const f of ["Pulumi.yaml", "Pulumi.prod.yaml"]) copyFileSync(path.join(PROJECT_DIR, f), path.join(dir, f));
        });
        afterEach(() => rmSync(dir, { recursive: true, force: true }));

        it("writes the edit and prints the plan diff with old → new values", () => {
            const r = resize("--stack", "prod", "--role", "web", "--size", "4xlarge");
            assert.equal(r.status, 0, r.stderr);
            assert.match(r.stdout, /~ aws:autoscaling\/group:Group mastodon-prod-web\n {4}mixedInstancesPolicy\.launchTemplate\.overrides\[0\]\.instanceType: c7i\.2xlarge → c7i\.4xlarge/);
            assert.match(r.stdout, /0 to create, 1 to update, 0 to delete/);
            assert.deepEqual(changedLines(text("prod"), readFileSync(path.join(dir, "Pulumi.prod.yaml"), "utf8")), [["    size: 2xlarge", "    size: 4xlarge"]]);
        });

        it("writes nothing when the result is refused", () => {
            const r = resize("--stack", "prod", "--role", "web", "--max", "100");
            assert.equal(r.status, 1);
            assert.match(r.stderr, /\[prod\] mastodon:database\.instanceClass = "db\.r7g\.2xlarge": at peak size \(max, plus AWS's rebalancing overshoot\) the app can open/);
            assert.doesNotMatch(r.stderr, /^\s+at /m);
            assert.equal(readFileSync(path.join(dir, "Pulumi.prod.yaml"), "utf8"), text("prod"));
        });

        it("writes nothing with --dry-run", () => {
            const r = resize("--stack", "prod", "--role", "streaming", "--min", "3", "--dry-run");
            assert.equal(r.status, 0, r.stderr);
            assert.match(r.stdout, /minSize: 2 → 3/);
            assert.equal(readFileSync(path.join(dir, "Pulumi.prod.yaml"), "utf8"), text("prod"));
        });
    });
});

describe("a settings change", () => {
    it("rolls every group, since nodes read settings only at boot", async () => {
        const before = await planOf("staging");
        const after = await planInput(inputWith("staging", raw => { (raw.smtp as Record<string, unknown>).fromAddress = "hello@staging.social.example.org"; }));
        const changes = diffPlans(before, after);
        const templates = changes.filter(c => c.type === "aws:ec2/launchTemplate:LaunchTemplate");
        assert.equal(templates.length, roleGroups(configOf("staging")).length);
        for (const t of templates) assert.deepEqual(t.inputs.map(i => i.path), ["userData", "userData"], "only the revision line changes");
        assert.deepEqual(changes.filter(c => !templates.includes(c)).map(c => `${c.type} ${c.name}`), ["aws:ssm/parameter:Parameter mastodon-staging-smtp-from-address"]);
    });
});

for (const stack of STACKS) {
    describe(`resizing any role of ${stack}`, () => {
        const cfg = configOf(stack);
        for (const { role, capacity: g } of roleGroups(cfg)) {
            it(`${role}: changes only its launch template, autoscaling group and scaling policy`, async () => {
                const fixed = g.min === 1 && g.max === 1; // the scheduler: exactly one, by rule
                const resize: Resize = { size: otherSize(g.families, g.size), families: g.families.slice(0, 1), ...(fixed ? {} : { min: g.min + 1, max: g.max + 1 }) };
                const dir = mkdtempSync(path.join(tmpdir(), "resize-prop-"));
                try {
                    writeTree(dir, { [`Pulumi.${stack}.yaml`]: applyResize(text(stack), stack, role, resize) });
                    const after = await planInput(readStack({ stack, file: path.join(dir, `Pulumi.${stack}.yaml`) }));
                    const changes = diffPlans(await planOf(stack), after);
                    assert.ok(changes.length > 0, "the resize changed nothing");
                    const own = new Set([`aws:ec2/launchTemplate:LaunchTemplate`, `aws:autoscaling/group:Group`, `aws:autoscaling/policy:Policy`]);
                    for (const c of changes) {
                        assert.equal(c.kind, "update", `${c.kind} ${c.type} ${c.name}`);
                        assert.ok(own.has(c.type) && c.name === `mastodon-${stack}-${role}`, `the resize of ${role} touched ${c.type} ${c.name}`);
                        assert.ok(!NEVER.some(t => c.type.startsWith(t)));
                    }
                } finally {
                    rmSync(dir, { recursive: true, force: true });
                }
            });
        }
    });
}
