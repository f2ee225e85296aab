// The cost estimate: the price table prices everything the config accepts and reproduces its
// quoted sources; the estimate follows the plan (spot split, Multi-AZ, sizes); the command
// prints it, diffs a config edit, and refuses what it cannot price with a clear message.

import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { CACHE_NODE_TYPES, DB_CLASS_MEMORY_GIB, INSTANCE_FAMILIES } from "../stacks/catalog";
import { HOURS_PER_MONTH, PRICE_TABLES } from "../stacks/prices";
import { Raw } from "../stacks/reader";
import { CostReport, estimateCost, onDemandCount } from "../scripts/lib/cost";
import { renderCost, renderCostChange } from "../scripts/lib/costRender";
import { PROJECT_DIR } from "../scripts/lib/stackFile";
import { renderSummary } from "../scripts/lib/summary";
import { configOf, inputWith, planInput, planOf } from "./support/plans";

const TOKYO = PRICE_TABLES["ap-northeast-1"];
const near = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 0.011, `${what}: ${a} != ${b}`);
const line = (r: CostReport, item: string) => {
    const found = r.lines.find(l => l.item === item);
    assert.ok(found, `no line ${item} in ${r.lines.map(l => l.item).join(", ")}`);
    return found;
};

describe("the price table", () => {
    it("quotes only what docs/price-sources.md quotes for this region: each quoted price is its row's figure", () => {
        // Every price the table can give, collected from everything the config accepts.
        const all = [
            ...Object.entries(INSTANCE_FAMILIES).flatMap(([family, f]) => f.sizes.map(size => TOKYO.ec2Hourly(`${family}.${size}`))),
            ...Object.keys(DB_CLASS_MEMORY_GIB).flatMap(cls => [TOKYO.rdsHourly(cls, false), TOKYO.rdsHourly(cls, true)]),
            TOKYO.rdsHourly("db.r6g.large", true), TOKYO.ec2Hourly("t3.medium"),
            ...CACHE_NODE_TYPES.flatMap(n => [TOKYO.cacheNodeHourly(n, "valkey"), TOKYO.cacheNodeHourly(n, "redis")]),
            ...Object.values(TOKYO.rates),
        ];
        const quoted = [...new Map(all.filter(p => p.basis === "quoted").map(p => [p.from, p])).values()];
        assert.ok(quoted.length >= 15, `only ${quoted.length} quoted prices`);
        // Rows of the evidence tables: item | value | unit | region | ...
        const rows = readFileSync(path.join(PROJECT_DIR, "docs/price-sources.md"), "utf8").split("\n")
            .filter(l => l.startsWith("| ") && !l.startsWith("| item")).map(l => l.split(" | ").map(c => c.replace(/^\| /, "").replace(/\*\*/g, "").trim()));
        const here = /^(ap-northeast-1|Japan edge|US; Europe|all|all regions)$/;
        for (const p of quoted) {
            const [, what, source] = /^(.*) \(([a-z0-9-]+)\)$/.exec(p.from) ?? [];
            assert.ok(source && source in TOKYO.sources, `${p.from}: names no listed source`);
            const row = rows.find(r => r[0].startsWith(what) && here.test(r[3]) && Number(/\d+(\.\d+)?/.exec(r[1])?.[0]) === p.usd);
            assert.ok(row, `${p.from}: $${p.usd} is not the figure of a row "${what}..." for this region in docs/price-sources.md`);
        }
        assert.equal(TOKYO.ec2Hourly("t3.large").basis, "derived", "a size scaled from a quote is not itself quoted");
        assert.equal(TOKYO.ec2Hourly("c7i.large").basis, "derived", "no Tokyo quote for c7i: must say so");
        assert.equal(TOKYO.rdsHourly("db.r6g.large", false).basis, "derived", "Single-AZ is half the quoted Multi-AZ: derived");
    });

    it("prices every instance type, DB class and cache node the config accepts", () => {
        for (const [family, f] of Object.entries(INSTANCE_FAMILIES)) {
            for (const size of f.sizes) {
                const p = TOKYO.ec2Hourly(`${family}.${size}`);
                assert.ok(p.usd > 0 && p.usd < 20, `${family}.${size}: ${p.usd}`);
            }
        }
        for (const cls of Object.keys(DB_CLASS_MEMORY_GIB)) for (const multiAz of [false, true]) assert.ok(TOKYO.rdsHourly(cls, multiAz).usd > 0, cls);
        for (const node of CACHE_NODE_TYPES) for (const engine of ["valkey", "redis"] as const) assert.ok(TOKYO.cacheNodeHourly(node, engine).usd > 0, node);
    });

    it("scales with size as AWS does: vCPUs for fixed families, memory for burstable ones; Multi-AZ doubles", () => {
        near(TOKYO.ec2Hourly("c7i.2xlarge").usd, 4 * TOKYO.ec2Hourly("c7i.large").usd, "c7i.2xlarge");
        near(TOKYO.ec2Hourly("t3.small").usd, TOKYO.ec2Hourly("t3.medium").usd / 2, "t3.small");
        near(TOKYO.rdsHourly("db.r7g.2xlarge", true).usd, 2 * TOKYO.rdsHourly("db.r7g.2xlarge", false).usd, "Multi-AZ");
        assert.ok(TOKYO.cacheNodeHourly("cache.r7g.large", "valkey").usd < TOKYO.cacheNodeHourly("cache.r7g.large", "redis").usd);
    });
});

describe("on-demand and spot split", () => {
    it("buys the base on-demand, then the percentage above it, rounded up", () => {
        assert.equal(onDemandCount(6, 2, 25), 3);
        assert.equal(onDemandCount(12, 2, 25), 5);
        assert.equal(onDemandCount(4, 0, 0), 0);
        assert.equal(onDemandCount(1, 1, 0), 1);
        assert.equal(onDemandCount(1, 2, 0), 1, "never more on-demand than instances");
    });
});

describe("the cost estimate", () => {
    it("has a line per autoscaling group and per priced service, and totals them", async () => {
        const report = estimateCost(await planOf("prod"), configOf("prod").usage, TOKYO);
        const groups = ["web", "streaming", ...configOf("prod").sidekiq.map(g => `sidekiq-${g.name}`)];
        for (const item of [...groups, "database", "cache", "NAT gateways", "load balancer", "internet egress", "public IPv4", "CDN", "media storage"]) line(report, item);
        near(report.total.min, report.lines.reduce((s, l) => s + l.min, 0), "total at min");
        near(report.total.max, report.lines.reduce((s, l) => s + l.max, 0), "total at max");
        assert.ok(report.total.max > report.total.min);
    });

    it("prices a group's on-demand part at its first type and its spot part at the spot share of it", async () => {
        const report = estimateCost(await planOf("prod"), configOf("prod").usage, TOKYO);
        // sidekiq-default at min: 6 instances, base 2 + 25% of 4 = 3 on-demand, 3 spot, 30 GB each.
        const c7i = TOKYO.ec2Hourly("c7i.2xlarge").usd;
        const expected = (3 * c7i + 3 * c7i * 0.5) * HOURS_PER_MONTH + 6 * 30 * TOKYO.rates.ebsGp3GbMonth.usd;
        near(line(report, "sidekiq-default").min, expected, "sidekiq-default at min");
        const scheduler = line(report, "sidekiq-scheduler");
        assert.equal(scheduler.min, scheduler.onDemandMin, "the on-demand singleton costs the same either way");
    });

    it("differs from all on-demand by the spot discount alone", async () => {
        const plan = await planOf("prod");
        const full = estimateCost(plan, configOf("prod").usage, TOKYO, 1);
        near(full.total.min, full.total.onDemandMin, "spot at the on-demand price, at min");
        near(full.total.max, full.total.onDemandMax, "spot at the on-demand price, at max");
        const half = estimateCost(plan, configOf("prod").usage, TOKYO);
        assert.ok(half.total.min < full.total.min && half.total.max < full.total.max);
        assert.equal(half.total.onDemandMax, full.total.onDemandMax, "the all-on-demand figure does not depend on spot");
    });

    it("counts Multi-AZ as two database instances and two copies of storage", async () => {
        const withStandby = estimateCost(await planOf("prod"), configOf("prod").usage, TOKYO);
        const singleAz = inputWith("prod", raw => { (raw.database as Raw).multiAz = false; raw.allow = { singleAz: true }; });
        const without = estimateCost(await planInput(singleAz), configOf("prod").usage, TOKYO);
        near(line(withStandby, "database").min, 2 * line(without, "database").min, "Multi-AZ doubles");
    });

    it("moves only the resized group's line when a group is resized", async () => {
        const before = estimateCost(await planOf("prod"), configOf("prod").usage, TOKYO);
        const bigger = inputWith("prod", raw => { (raw.web as Raw).max = 16; });
        const after = estimateCost(await planInput(bigger), configOf("prod").usage, TOKYO);
        for (const l of before.lines) {
            const a = line(after, l.item);
            if (l.item === "web") assert.ok(a.max > l.max && a.min === l.min, "web's max grows, its min does not");
            else assert.deepEqual(a, l, `${l.item} changed`);
        }
    });

    it("is what docs/cost.md shows for prod", async () => {
        const doc = readFileSync(path.join(PROJECT_DIR, "docs/cost.md"), "utf8");
        const shown = /```\n([\s\S]*?)\n```/.exec(doc)![1];
        assert.equal(shown, renderCost(estimateCost(await planOf("prod"), configOf("prod").usage, TOKYO), TOKYO),
            "docs/cost.md is out of date: paste `npm run -s cost -- --stack prod` into it, and check its tables");
    });

    it("shows a billable type a config edit adds without a price, rather than a silent $0", async () => {
        const before = estimateCost(await planOf("prod"), configOf("prod").usage, TOKYO);
        const proxied = inputWith("prod", raw => { (raw.database as Raw).pooler = "rdsProxy"; });
        const after = estimateCost(await planInput(proxied), configOf("prod").usage, TOKYO);
        const change = renderCostChange(before, after);
        assert.match(change, /aws:rds\/proxy:Proxy: 0 → 1, not priced \(not in the totals\)/);
        assert.match(change, /keys, secrets, alarms .*\+\$0\.40$/m, "the proxy's secret is priced");
    });

    it("leaves out nothing billable silently: what it cannot price is listed by type", async () => {
        for (const stack of ["staging", "prod"]) {
            const report = estimateCost(await planOf(stack), configOf(stack).usage, TOKYO);
            assert.deepEqual(report.unpriced.map(u => u.type).sort(), [
                "aws:cloudwatch/dashboard:Dashboard", "aws:cloudwatch/logGroup:LogGroup", "aws:route53/record:Record", "aws:sns/topic:Topic",
            ], `${stack}: a new billable resource type needs a price or a reason`);
        }
    });
});

describe("npm run cost", () => {
    const cost = (...args: string[]) => {
        const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/cost.ts", ...args], { cwd: PROJECT_DIR, encoding: "utf8" });
        return { code: r.status, out: r.stdout, err: r.stderr };
    };
    let dir: string;
    before(() => { dir = mkdtempSync(path.join(tmpdir(), "cost-")); });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("prints each group at min and max, the total and the all-on-demand comparison", () => {
        const r = cost("--stack", "prod");
        assert.equal(r.code, 0, r.err);
        assert.match(r.out, /Monthly cost estimate for stack "prod" \(ap-northeast-1\)/);
        assert.match(r.out, /as of \d{4}-\d{2}-\d{2}/);
        assert.match(r.out, /^~ web\s+\$[\d,]+\.\d\d\s+\$[\d,]+\.\d\d\s+\d+ on-demand/m);
        assert.match(r.out, /^ {2}total\s+\$[\d,.]+\s+\$[\d,.]+$/m);
        assert.match(r.out, /^ {2}all on-demand\s+\$[\d,.]+\s+\$[\d,.]+/m);
    });

    it("prints the change a config edit makes: the resized line and the total", () => {
        const proposed = path.join(dir, "proposed.yaml");
        writeFileSync(proposed, readFileSync(path.join(PROJECT_DIR, "Pulumi.prod.yaml"), "utf8").replace("size: 2xlarge\n    min: 4", "size: 4xlarge\n    min: 4"));
        const r = cost("--stack", "prod", "--against", proposed);
        assert.equal(r.code, 0, r.err);
        assert.match(r.out, /^ {2}web\s.*\+\$[\d,.]+$/m);
        assert.doesNotMatch(r.out, /^ {2}database\s/m, "an unchanged line is not listed");
        assert.match(r.out, /At min: \+\$[\d,.]+ a month; at max: \+\$[\d,.]+ a month\./);
    });

    it("refuses a bad discount, and a region it has no prices for, with a message and no stack trace", () => {
        const discount = cost("--stack", "prod", "--spot-discount", "120");
        assert.equal(discount.code, 2);
        assert.match(discount.err, /--spot-discount 120: give the percent below on-demand that spot costs, 0 to 99/);
        const elsewhere = path.join(dir, "Pulumi.oregon.yaml");
        writeFileSync(elsewhere, readFileSync(path.join(PROJECT_DIR, "Pulumi.staging.yaml"), "utf8").replace("aws:region: ap-northeast-1", "aws:region: us-west-2"));
        const r = cost("--config", elsewhere);
        assert.equal(r.code, 1);
        assert.match(r.err, /stack "oregon" is in us-west-2; stacks\/prices\.ts has prices for ap-northeast-1 only/);
        assert.doesNotMatch(r.err, /^\s+at /m);
        // A mistake in the proposed file names that file, not the stack's own.
        const bad = path.join(dir, "bad.yaml");
        writeFileSync(bad, readFileSync(path.join(PROJECT_DIR, "Pulumi.prod.yaml"), "utf8").replace("natGb: 4000", "natGb: -1"));
        const wrong = cost("--stack", "prod", "--against", bad);
        assert.equal(wrong.code, 1);
        assert.match(wrong.err, /\[prod\] mastodon:usage\.natGb = -1: expected a whole number from 0 to 1000000\n {2}\(in .*bad\.yaml\)/);
    });

    it("is summed up in the offline plan's summary", async () => {
        const summary = renderSummary(await planOf("staging"), configOf("staging"));
        assert.match(summary, /^Monthly cost estimate: \$[\d,]+ at min size, \$[\d,]+ at max \(all on-demand: /m);
    });
});
