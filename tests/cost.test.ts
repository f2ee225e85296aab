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
    it("states its region, date and sources, and every quoted price names one of them", () => {
        assert.equal(TOKYO.region, "ap-northeast-1");
        assert.match(TOKYO.asOf, /^\d{4}-\d{2}-\d{2}$/);
        const quotedFrom = [...Object.values(TOKYO.rates), TOKYO.ec2Hourly("t3.medium"), TOKYO.rdsHourly("db.r6g.large", true), TOKYO.cacheNodeHourly("cache.t4g.micro", "valkey")]
            .filter(p => p.basis === "quoted").map(p => /\(([a-z0-9-]+)\)$/.exec(p.from)?.[1]);
        for (const key of quotedFrom) assert.ok(key && key in TOKYO.sources, `quoted price cites unknown source ${key}`);
    });

    it("reproduces the figures it quotes", () => {
        near(TOKYO.ec2Hourly("t3.medium").usd, 0.0544, "t3.medium");
        near(TOKYO.ec2Hourly("t4g.small").usd, 0.0216, "t4g.small");
        near(TOKYO.rdsHourly("db.r6g.large", true).usd, 0.54, "db.r6g.large Multi-AZ");
        near(TOKYO.cacheNodeHourly("cache.t4g.micro", "redis").usd, 0.025, "cache.t4g.micro Redis OSS");
        near(TOKYO.cacheNodeHourly("cache.t4g.micro", "valkey").usd, 0.02, "cache.t4g.micro Valkey");
        for (const t of ["t3.medium", "t4g.small"]) assert.equal(TOKYO.ec2Hourly(t).basis, "quoted");
        assert.equal(TOKYO.ec2Hourly("c7i.large").basis, "derived", "no Tokyo quote for c7i: must say so");
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

    it("prices a group's on-demand part at its first type and its spot part at the spot share", async () => {
        const report = estimateCost(await planOf("prod"), configOf("prod").usage, TOKYO);
        // sidekiq-default at min: 6 instances, base 2 + 25% of 4 = 3 on-demand, 3 spot, 30 GB each.
        const types = ["c7i.2xlarge", "c6i.2xlarge", "c6a.2xlarge"].map(t => TOKYO.ec2Hourly(t).usd);
        const mean = types.reduce((a, b) => a + b) / types.length;
        const expected = (3 * types[0] + 3 * mean * 0.5) * HOURS_PER_MONTH + 6 * 30 * TOKYO.rates.ebsGp3GbMonth.usd;
        near(line(report, "sidekiq-default").min, expected, "sidekiq-default at min");
        const scheduler = line(report, "sidekiq-scheduler");
        assert.equal(scheduler.min, scheduler.onDemandMin, "the on-demand singleton costs the same either way");
    });

    it("never costs more than all on-demand, and each point of spot discount lowers it", async () => {
        const plan = await planOf("prod");
        // Spot priced at on-demand: still at most all on-demand (spot spreads over cheaper types
        // too), and exactly it for a group with one type.
        const full = estimateCost(plan, configOf("prod").usage, TOKYO, 1);
        assert.ok(full.total.min <= full.total.onDemandMin && full.total.max <= full.total.onDemandMax);
        const oneType = inputWith("prod", raw => { (raw.web as Raw).families = ["c7i"]; });
        const web = line(estimateCost(await planInput(oneType), configOf("prod").usage, TOKYO, 1), "web");
        near(web.max, web.onDemandMax, "one type, no discount");
        const half = estimateCost(plan, configOf("prod").usage, TOKYO);
        assert.ok(half.total.min < full.total.min && half.total.max < full.total.max);
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
    });

    it("is summed up in the offline plan's summary", async () => {
        const summary = renderSummary(await planOf("staging"), configOf("staging"));
        assert.match(summary, /^Monthly cost estimate: \$[\d,]+ at min size, \$[\d,]+ at max \(all on-demand: /m);
    });
});
