// The queue latency publisher that drives Sidekiq scaling: its latency logic on sample queue
// data, its Redis protocol handling, and a run against a real redis-server on loopback.

import { strict as assert } from "assert";
import { ChildProcess, spawn, spawnSync } from "child_process";
import { rmSync } from "fs";
import * as net from "net";
import * as path from "path";
import { PROJECT_DIR } from "../scripts/lib/stackFile";
import { requireTool, run, scratchDir } from "./support/tools";

interface Stat { queue: string; size: number; latency: number }
// eslint-disable-next-line @typescript-eslint/no-require-imports
const m = require("../components/userdata/files/sidekiq-metrics.js") as {
    queueLatency(json: string | null, nowMs: number): number;
    parseReplies(buf: Buffer): { replies: unknown[]; used: number };
    encode(args: (string | number)[]): string;
    metricData(stack: string, group: string, stats: Stat[]): { MetricName: string; Dimensions: { Name: string; Value: string }[]; Value: number }[];
};
const SCRIPT = path.join(PROJECT_DIR, "components/userdata/files/sidekiq-metrics.js");
const NOW = Date.parse("2026-12-03T12:00:00Z");

describe("Sidekiq queue latency", () => {
    it("is the age of the oldest job, in Sidekiq 7's seconds and Sidekiq 8's milliseconds", () => {
        assert.equal(m.queueLatency(JSON.stringify({ class: "PushJob", enqueued_at: NOW / 1000 - 42.5 }), NOW), 42.5);
        assert.equal(m.queueLatency(JSON.stringify({ class: "PushJob", enqueued_at: NOW - 1500 }), NOW), 1.5);
    });

    it("is zero for an empty queue, a job without a time, or one from the future (clock skew)", () => {
        assert.equal(m.queueLatency(null, NOW), 0);
        assert.equal(m.queueLatency(JSON.stringify({ class: "X" }), NOW), 0);
        assert.equal(m.queueLatency("not json", NOW), 0);
        assert.equal(m.queueLatency(JSON.stringify({ enqueued_at: NOW / 1000 + 5 }), NOW), 0);
    });

    it("reports each queue and the group's worst, which is what the group scales on", () => {
        const data = m.metricData("prod", "pull", [{ queue: "pull", size: 12, latency: 8 }, { queue: "fasp", size: 0, latency: 0 }]);
        const group = data.filter(d => d.Dimensions.some(x => x.Name === "QueueGroup"));
        assert.deepEqual(group.map(d => [d.MetricName, d.Value]), [["QueueLatency", 8]]);
        assert.deepEqual(group[0].Dimensions, [{ Name: "Stack", Value: "prod" }, { Name: "QueueGroup", Value: "pull" }]);
        assert.equal(data.filter(d => d.MetricName === "QueueSize").length, 2);
    });

    it("parses Redis replies split across reads", () => {
        const all = Buffer.from(":12\r\n$11\r\n{\"a\":\"b c\"}\r\n$-1\r\n-ERR nope\r\n");
        const first = m.parseReplies(all.subarray(0, 12));
        assert.deepEqual(first.replies, [12]);
        const rest = m.parseReplies(all.subarray(first.used));
        assert.deepEqual(rest.replies.slice(0, 2), ['{"a":"b c"}', null]);
        assert.match(String(rest.replies[2]), /ERR nope/);
        assert.equal(m.encode(["LINDEX", "queue:push", -1]), "*3\r\n$6\r\nLINDEX\r\n$10\r\nqueue:push\r\n$2\r\n-1\r\n");
    });
});

async function freePort(): Promise<number> {
    const s = net.createServer();
    await new Promise<void>(r => s.listen(0, "127.0.0.1", r));
    const port = (s.address() as net.AddressInfo).port;
    await new Promise(r => s.close(r));
    return port;
}

describe("the publisher against a real Redis", () => {
    let redis: ChildProcess;
    let port: number;
    let tlsPort: number;
    let dir: string;
    const password = "test-only-password";

    before(async () => {
        requireTool("redis-server", "redis-server");
        requireTool("openssl", "openssl");
        // A certificate for 127.0.0.1, trusted by the publisher through NODE_EXTRA_CA_CERTS as the
        // RDS-style CA bundle would be: production connects with rediss://.
        dir = scratchDir("redis-tls-");
        const cert = run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem")]);
        assert.equal(cert.code, 0, cert.output);
        port = await freePort();
        tlsPort = await freePort();
        redis = spawn("redis-server", ["--port", String(port), "--tls-port", String(tlsPort), "--tls-cert-file", path.join(dir, "cert.pem"),
            "--tls-key-file", path.join(dir, "key.pem"), "--tls-auth-clients", "no", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--requirepass", password], { stdio: "ignore" });
        for (let i = 0; i < 50; i++) {
            const up = spawnSync("redis-cli", ["-p", String(port), "-a", password, "--no-auth-warning", "ping"], { encoding: "utf8" }).stdout.trim() === "PONG";
            if (up) break;
            await new Promise(r => setTimeout(r, 100));
        }
        // Sidekiq pushes on the left: the oldest job ends up on the right.
        const now = Date.now() / 1000;
        const push = (queue: string, ageSeconds: number) =>
            spawnSync("redis-cli", ["-p", String(port), "-a", password, "--no-auth-warning", "LPUSH", `queue:${queue}`, JSON.stringify({ class: "Job", enqueued_at: now - ageSeconds })]);
        push("push", 90);
        push("push", 10);
        push("push", 1);
        push("pull", 5);
    });

    after(async () => {
        // Never started when redis-server is missing: the setup's own error says so.
        if (redis && redis.exitCode === null) {
            redis.kill("SIGTERM");
            await new Promise(r => redis.once("exit", r));
        }
        if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("reads the queues over TLS (rediss://), checking the server's certificate", () => {
        const env = { ...process.env, STACK: "prod", QUEUE_GROUP: "federation", QUEUES: "push", AWS_REGION: "ap-northeast-1", DRY_RUN: "1" };
        const trusted = spawnSync(process.execPath, [SCRIPT], { encoding: "utf8", env: { ...env, NODE_EXTRA_CA_CERTS: path.join(dir, "cert.pem"), REDIS_URL: `rediss://:${password}@127.0.0.1:${tlsPort}/0` } });
        assert.equal(trusted.status, 0, trusted.stderr);
        assert.equal(JSON.parse(trusted.stdout).find((d: { MetricName: string }) => d.MetricName === "QueueSize").Value, 3);
        const untrusted = spawnSync(process.execPath, [SCRIPT], { encoding: "utf8", env: { ...env, REDIS_URL: `rediss://:${password}@127.0.0.1:${tlsPort}/0` } });
        assert.equal(untrusted.status, 1);
        assert.match(untrusted.stderr, /self[- ]signed certificate/);
    });

    it("reads each queue's size and oldest job over an authenticated connection", () => {
        const r = spawnSync(process.execPath, [SCRIPT], {
            encoding: "utf8",
            env: { ...process.env, REDIS_URL: `redis://:${password}@127.0.0.1:${port}/0`, STACK: "prod", QUEUE_GROUP: "federation", QUEUES: "push,pull,fasp", AWS_REGION: "ap-northeast-1", DRY_RUN: "1" },
        });
        assert.equal(r.status, 0, r.stderr);
        const data = JSON.parse(r.stdout) as { MetricName: string; Dimensions: { Name: string; Value: string }[]; Value: number }[];
        const value = (metric: string, dim: string, v: string) => data.find(d => d.MetricName === metric && d.Dimensions.some(x => x.Name === dim && x.Value === v))!.Value;
        assert.equal(value("QueueSize", "Queue", "push"), 3);
        assert.ok(Math.abs(value("QueueLatency", "Queue", "push") - 90) < 5, "the oldest push job is 90 s old");
        assert.equal(value("QueueSize", "Queue", "fasp"), 0);
        assert.ok(Math.abs(value("QueueLatency", "QueueGroup", "federation") - 90) < 5);
        assert.ok(!r.stdout.includes(password) && !r.stderr.includes(password));
    });

    it("fails with a clear message when Redis refuses it", () => {
        const r = spawnSync(process.execPath, [SCRIPT], {
            encoding: "utf8",
            env: { ...process.env, REDIS_URL: `redis://:wrong@127.0.0.1:${port}/0`, STACK: "prod", QUEUE_GROUP: "g", QUEUES: "push", AWS_REGION: "ap-northeast-1", DRY_RUN: "1" },
        });
        assert.equal(r.status, 1);
        assert.match(r.stderr, /^sidekiq-metrics: Redis refused a command: WRONGPASS/);
    });
});
