#!/usr/bin/env node
// Publishes the latency (age of the oldest job) and size of a Sidekiq group's queues to
// CloudWatch, where the group's target-tracking policy and latency alarm read them.
// Runs on Sidekiq nodes from mastodon-sidekiq-metrics.timer. No dependencies: it speaks just
// enough of the Redis protocol (over TLS for rediss://) and calls the AWS CLI to publish.
//
// Environment: REDIS_URL (from .env.production), STACK, QUEUE_GROUP, QUEUES (comma-separated),
// AWS_REGION. With DRY_RUN=1 it prints the metric data instead of publishing it.
"use strict";

const net = require("net");
const tls = require("tls");
const { execFileSync } = require("child_process");

const NAMESPACE = "Mastodon/Sidekiq";

/**
 * Seconds the oldest job of a queue has waited. Sidekiq pushes on the left and fetches from the
 * right, so the oldest job is the last element. `enqueued_at` is epoch seconds (a float) in
 * Sidekiq 7 and epoch milliseconds (an integer) in Sidekiq 8.
 */
function queueLatency(oldestJobJson, nowMs) {
    if (!oldestJobJson) return 0;
    let job;
    try { job = JSON.parse(oldestJobJson); } catch { return 0; }
    const at = Number(job.enqueued_at);
    if (!Number.isFinite(at) || at <= 0) return 0;
    const enqueuedMs = at > 1e12 ? at : at * 1000;
    return Math.max(0, (nowMs - enqueuedMs) / 1000);
}

/** Encodes one Redis command in RESP. */
function encode(args) {
    return `*${args.length}\r\n` + args.map(a => `$${Buffer.byteLength(String(a))}\r\n${a}\r\n`).join("");
}

/**
 * Parses complete RESP replies from a buffer. Returns the replies and how many bytes they used;
 * an incomplete tail is left for the next read. Errors become Error objects.
 */
function parseReplies(buf) {
    const replies = [];
    let pos = 0;
    for (;;) {
        const end = buf.indexOf("\r\n", pos);
        if (end < 0) break;
        const type = String.fromCharCode(buf[pos]);
        const line = buf.toString("utf8", pos + 1, end);
        if (type === "+") replies.push(line);
        else if (type === "-") replies.push(new Error(line));
        else if (type === ":") replies.push(Number(line));
        else if (type === "$") {
            const len = Number(line);
            if (len < 0) { replies.push(null); pos = end + 2; continue; }
            if (buf.length < end + 2 + len + 2) break;
            replies.push(buf.toString("utf8", end + 2, end + 2 + len));
            pos = end + 2 + len + 2;
            continue;
        } else throw new Error(`unexpected Redis reply type ${type}`);
        pos = end + 2;
    }
    return { replies, used: pos };
}

/** Sends commands in one pipeline and resolves with one reply per command. */
function pipeline(redisUrl, commands, timeoutMs = 5000) {
    const url = new URL(redisUrl);
    const secure = url.protocol === "rediss:";
    const port = Number(url.port || 6379);
    const all = [];
    if (url.password) all.push(url.username ? ["AUTH", decodeURIComponent(url.username), decodeURIComponent(url.password)] : ["AUTH", decodeURIComponent(url.password)]);
    const db = Number((url.pathname || "/0").slice(1) || 0);
    if (db) all.push(["SELECT", db]);
    all.push(...commands);
    return new Promise((resolve, reject) => {
        // SNI takes host names only; the certificate is still checked against an IP address.
        const servername = net.isIP(url.hostname) ? undefined : url.hostname;
        const socket = secure ? tls.connect({ host: url.hostname, port, servername }) : net.connect({ host: url.hostname, port });
        const timer = setTimeout(() => { socket.destroy(); reject(new Error("Redis did not answer in time")); }, timeoutMs);
        let pending = Buffer.alloc(0);
        const replies = [];
        socket.on(secure ? "secureConnect" : "connect", () => socket.write(all.map(encode).join("")));
        socket.on("data", chunk => {
            pending = Buffer.concat([pending, chunk]);
            const parsed = parseReplies(pending);
            replies.push(...parsed.replies);
            pending = pending.subarray(parsed.used);
            if (replies.length >= all.length) {
                clearTimeout(timer);
                socket.end();
                const mine = replies.slice(all.length - commands.length);
                const failed = replies.find(r => r instanceof Error);
                if (failed) reject(new Error(`Redis refused a command: ${failed.message}`));
                else resolve(mine);
            }
        });
        socket.on("error", err => { clearTimeout(timer); reject(err); });
    });
}

/** Latency and size of each queue, read from Redis. */
async function collect(redisUrl, queues, nowMs) {
    const replies = await pipeline(redisUrl, queues.flatMap(q => [["LLEN", `queue:${q}`], ["LINDEX", `queue:${q}`, -1]]));
    return queues.map((queue, i) => ({ queue, size: Number(replies[2 * i]) || 0, latency: queueLatency(replies[2 * i + 1], nowMs) }));
}

/** CloudWatch metric data: per queue latency and size, and the group's worst latency. */
function metricData(stack, group, stats) {
    const base = [{ Name: "Stack", Value: stack }];
    const perQueue = stats.flatMap(s => [
        { MetricName: "QueueLatency", Dimensions: [...base, { Name: "Queue", Value: s.queue }], Value: s.latency, Unit: "Seconds" },
        { MetricName: "QueueSize", Dimensions: [...base, { Name: "Queue", Value: s.queue }], Value: s.size, Unit: "Count" },
    ]);
    const worst = Math.max(0, ...stats.map(s => s.latency));
    return [...perQueue, { MetricName: "QueueLatency", Dimensions: [...base, { Name: "QueueGroup", Value: group }], Value: worst, Unit: "Seconds" }];
}

async function main(env) {
    for (const key of ["REDIS_URL", "STACK", "QUEUE_GROUP", "QUEUES", "AWS_REGION"]) {
        if (!env[key]) throw new Error(`${key} is not set`);
    }
    const queues = env.QUEUES.split(",").filter(Boolean);
    const data = metricData(env.STACK, env.QUEUE_GROUP, await collect(env.REDIS_URL, queues, Date.now()));
    if (env.DRY_RUN) {
        process.stdout.write(JSON.stringify(data) + "\n");
        return;
    }
    execFileSync("aws", ["cloudwatch", "put-metric-data", "--region", env.AWS_REGION, "--namespace", NAMESPACE, "--metric-data", JSON.stringify(data)], { stdio: ["ignore", "ignore", "inherit"] });
    const worst = data[data.length - 1].Value;
    process.stdout.write(`published ${queues.length} queues of ${env.QUEUE_GROUP}; oldest job ${worst.toFixed(1)} s\n`);
}

module.exports = { NAMESPACE, queueLatency, encode, parseReplies, collect, metricData };

if (require.main === module) {
    main(process.env).catch(err => {
        process.stderr.write(`sidekiq-metrics: ${err.message}\n`);
        process.exit(1);
    });
}
