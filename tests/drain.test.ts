// The drain watcher, run for real: sh, curl and a fake instance metadata service on loopback
// (IMDSv2 tokens required), with `aws` and `systemctl` stubbed to record what they were asked.

import { strict as assert } from "assert";
import { spawn } from "child_process";
import { chmodSync, readFileSync, rmSync, writeFileSync } from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";
import { DrainPlan, renderDrainScript } from "../components/userdata/drain";
import { requireTool, run, scratchDir } from "./support/tools";

interface Imds { server: http.Server; url: string; polls: () => number }

/** A metadata service that requires a token, and reports termination after `after` polls. */
async function fakeImds(signal: "lifecycle" | "spot", after: number): Promise<Imds> {
    let polls = 0;
    const server = http.createServer((req, res) => {
        if (req.method === "PUT" && req.url === "/latest/api/token") return void res.end("token-1");
        if (req.headers["x-aws-ec2-metadata-token"] !== "token-1") { res.statusCode = 401; return void res.end(); }
        const meta = req.url!.replace("/latest/meta-data/", "");
        if (meta === "autoscaling/target-lifecycle-state") {
            polls++;
            return void res.end(signal === "lifecycle" && polls > after ? "Terminated" : "InService");
        }
        if (meta === "spot/instance-action" && signal === "spot" && polls > after) return void res.end('{"action":"terminate","time":"2026-12-03T17:30:00Z"}');
        if (meta === "instance-id") return void res.end("i-0abc");
        if (meta === "tags/instance/aws:autoscaling:groupName") return void res.end("mastodon-prod-web-1a2b3c4");
        res.statusCode = 404;
        res.end();
    });
    await new Promise<void>(r => server.listen(0, "127.0.0.1", r));
    return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, polls: () => polls };
}

/** Runs the rendered script with stubs; resolves with the commands it ran, in order. */
async function drain(plan: DrainPlan, imds: Imds): Promise<string[]> {
    const dir = scratchDir("drain-");
    try {
        const log = path.join(dir, "calls.log");
        for (const tool of ["aws", "systemctl"]) {
            const stub = path.join(dir, tool);
            // describe-auto-scaling-groups answers with the group's two target groups.
            writeFileSync(stub, `#!/bin/sh\necho "${tool} $*" >> ${log}\ncase "$*" in *describe-auto-scaling-groups*) echo "arn:tg-a arn:tg-b";; esac\n`);
            chmodSync(stub, 0o755);
        }
        const script = path.join(dir, "mastodon-drain");
        writeFileSync(script, renderDrainScript(plan));
        const proc = spawn("sh", [script], { env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, IMDS_ENDPOINT: imds.url, POLL_SECONDS: "0.05", DRAIN_SECONDS: "0" } });
        let output = "";
        proc.stdout.on("data", d => (output += d));
        proc.stderr.on("data", d => (output += d));
        const code = await new Promise<number | null>(r => proc.on("exit", r));
        assert.equal(code, 0, output);
        return readFileSync(log, "utf8").trim().split("\n");
    } finally {
        rmSync(dir, { recursive: true, force: true });
        imds.server.close();
    }
}

const COMPLETE = "aws autoscaling complete-lifecycle-action --region ap-northeast-1 --lifecycle-hook-name mastodon-drain " +
    "--auto-scaling-group-name mastodon-prod-web-1a2b3c4 --instance-id i-0abc --lifecycle-action-result CONTINUE";

describe("the drain watcher", () => {
    before(() => { requireTool("curl", "curl"); requireTool("shellcheck", "shellcheck"); });

    it("passes shellcheck for both kinds of node", () => {
        const dir = scratchDir("drain-lint-");
        try {
            for (const kind of ["sidekiq", "http"] as const) {
                const file = path.join(dir, kind);
                writeFileSync(file, renderDrainScript({ kind, waitSeconds: 30, units: "mastodon-web.service", region: "ap-northeast-1" }));
                const r = run("shellcheck", ["-s", "sh", file]);
                assert.equal(r.code, 0, r.output);
            }
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it("quiets Sidekiq, stops it, then completes the lifecycle action on scale-in", async () => {
        const imds = await fakeImds("lifecycle", 3);
        const calls = await drain({ kind: "sidekiq", waitSeconds: 45, units: "mastodon-sidekiq-push@*", region: "ap-northeast-1" }, imds);
        assert.ok(imds.polls() > 3, "it kept watching until the termination");
        assert.deepEqual(calls, [
            "systemctl kill --signal=TSTP mastodon-sidekiq-push@*",
            "systemctl stop mastodon-sidekiq-push@*",
            COMPLETE,
        ]);
    });

    it("takes a web node out of its target groups before stopping it, on a spot notice", async () => {
        const calls = await drain({ kind: "http", waitSeconds: 30, units: "mastodon-web.service", region: "ap-northeast-1" }, await fakeImds("spot", 2));
        assert.deepEqual(calls, [
            "aws autoscaling describe-auto-scaling-groups --region ap-northeast-1 --auto-scaling-group-names mastodon-prod-web-1a2b3c4 --query AutoScalingGroups[0].TargetGroupARNs[] --output text",
            "aws elbv2 deregister-targets --region ap-northeast-1 --target-group-arn arn:tg-a --targets Id=i-0abc",
            "aws elbv2 deregister-targets --region ap-northeast-1 --target-group-arn arn:tg-b --targets Id=i-0abc",
            "systemctl stop mastodon-web.service nginx.service",
            COMPLETE,
        ]);
    });
});
