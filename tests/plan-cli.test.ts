// The offline plan as users run it: a child process, real stack files, real exit codes.

import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { PROJECT_DIR } from "../scripts/lib/stackFile";

function plan(...args: string[]) {
    const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/plan.ts", ...args], {
        cwd: PROJECT_DIR, encoding: "utf8", env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" },
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("npm run plan", () => {
    let dir: string;
    before(() => { dir = mkdtempSync(path.join(tmpdir(), "plan-")); });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("prints the JSON plan of a stack: type tokens, parents, inputs and outputs", () => {
        const r = plan("--stack", "staging", "--json");
        assert.equal(r.code, 0, r.err);
        const json = JSON.parse(r.out);
        assert.equal(json.stack, "staging");
        assert.deepEqual(Object.keys(json.resources[0]), ["type", "name", "parent", "inputs"]);
        assert.ok(json.resources.some((x: { type: string }) => x.type === "aws:autoscaling/group:Group"));
        assert.equal(json.outputs.url, "https://staging.social.example.org");
    });

    it("prints a table and a summary with each role's instances and the connection budget", () => {
        const r = plan("--stack", "prod");
        assert.equal(r.code, 0, r.err);
        assert.match(r.out, /^aws:rds\/instance:Instance\s+mastodon-prod$/m);
        assert.match(r.out, /sidekiq-default\s+c7i\.2xlarge,c6i\.2xlarge,c6a\.2xlarge\s+min\s+6 max\s+9/);
        assert.match(r.out, /total at peak size\s+3490 of 5000/);
    });

    it("plans a proposed config file, and refuses a bad one with its message and no stack trace", () => {
        const proposed = path.join(dir, "Pulumi.prod.yaml");
        const text = readFileSync(path.join(PROJECT_DIR, "Pulumi.prod.yaml"), "utf8");
        writeFileSync(proposed, text.replace("size: 2xlarge\n    min: 4", "size: 4xlarge\n    min: 4"));
        const ok = plan("--config", proposed, "--json");
        assert.equal(ok.code, 0, ok.err);
        const web = JSON.parse(ok.out).resources.find((x: { type: string; name: string }) => x.type === "aws:autoscaling/group:Group" && x.name === "mastodon-prod-web");
        assert.equal(web.inputs.mixedInstancesPolicy.launchTemplate.overrides[0].instanceType, "c7i.4xlarge");

        writeFileSync(proposed, text.replace("size: 2xlarge\n    min: 4", "size: 3xlarge\n    min: 4"));
        const bad = plan("--config", proposed);
        assert.equal(bad.code, 1);
        assert.match(bad.err, /\[prod\] mastodon:web\.size = "3xlarge": c7i is not sold in that size/);
        assert.doesNotMatch(bad.err, /^\s+at /m, "a config mistake must not print a stack trace");
        assert.equal(bad.out, "");
    });

    it("diffs a stack against a proposed config: old → new inputs, rendered lines and the budget", () => {
        const proposed = path.join(dir, "proposed.yaml");
        const text = readFileSync(path.join(PROJECT_DIR, "Pulumi.prod.yaml"), "utf8");
        writeFileSync(proposed, text.replace("pumaWorkers: 8", "pumaWorkers: 6"));
        const r = plan("--stack", "prod", "--diff-against", proposed);
        assert.equal(r.code, 0, r.err);
        assert.match(r.out, /^~ aws:ec2\/launchTemplate:LaunchTemplate mastodon-prod-web$/m);
        assert.match(r.out, /^ {4}userData - \s+Environment=WEB_CONCURRENCY=8$/m);
        assert.match(r.out, /^ {4}userData \+ \s+Environment=WEB_CONCURRENCY=6$/m);
        assert.match(r.out, /0 to create, 1 to update, 0 to delete/);
        assert.match(r.out, /PostgreSQL connections at peak size: 3490 of 5000 → 3350 of 5000/);
    });

    it("writes every file each node runs with --render", () => {
        const out = path.join(dir, "rendered");
        const r = plan("--stack", "prod", "--render", out, "--json");
        assert.equal(r.code, 0, r.err);
        const web = readFileSync(path.join(out, "mastodon-prod-web/etc/systemd/system/mastodon-web.service"), "utf8");
        assert.match(web, /^Environment=WEB_CONCURRENCY=8$/m);
        const userData = readFileSync(path.join(out, "mastodon-prod-sidekiq-push/user-data.yaml"), "utf8");
        assert.ok(userData.startsWith("#cloud-config\n"));
        assert.match(readFileSync(path.join(out, "mastodon-prod-streaming/etc/nginx/sites-enabled/mastodon"), "utf8"), /least_conn;/);
    });

    it("refuses to guess the stack of a config file not named Pulumi.<stack>.yaml", () => {
        const r = plan("--config", path.join(PROJECT_DIR, "package.json"));
        assert.equal(r.code, 2);
        assert.match(r.err, /give the stack too \(--stack NAME\)/);
    });

    it("refuses a missing stack file and unknown flags clearly", () => {
        const missing = plan("--stack", "nope");
        assert.equal(missing.code, 1);
        assert.match(missing.err, /cannot read .*Pulumi\.nope\.yaml/);
        assert.doesNotMatch(missing.err, /^\s+at /m);
        const flag = plan("--stak", "prod");
        assert.equal(flag.code, 2);
        assert.match(flag.err, /usage: npm run plan/);
    });
});
