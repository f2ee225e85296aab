// Config mistakes: each is refused with a message that names the stack, the key and what is
// allowed, and the real program registers no resource before refusing.

import { strict as assert } from "assert";
import { readFileSync } from "fs";
import * as path from "path";
import { parse } from "yaml";
import { projectValues } from "../stacks/load";
import { ConfigError, Raw } from "../stacks/reader";
import { parseEnvironment } from "../stacks/validate";
import { RecordingMocks } from "../scripts/lib/offline";
import { DEFAULTS, TOP_LEVEL_KEYS } from "../stacks/schema";
import { PROJECT_DIR, readStack } from "../scripts/lib/stackFile";
import { inputWith, planInput } from "./support/plans";

/** The shipped prod config as plain objects, for mutating. */
function prodRaw(): { region: string | undefined; raw: Raw } {
    const input = readStack({ stack: "prod" });
    return { region: input.config["aws:region"], raw: structuredClone(projectValues(input.config)) };
}

type Group = Record<string, unknown>;
const group = (raw: Raw, name: string): Group => (raw.sidekiq as Group[]).find(g => g.name === name)!;
const web = (raw: Raw): Group => raw.web as Group;

/** [what is wrong, how to break it, the key the message must name, what the message must say]. */
const CASES: [string, (raw: Raw) => void, string, string][] = [
    ["unknown size", raw => { web(raw).size = "huge"; }, "mastodon:web.size", "c7i sizes: large, xlarge"],
    ["size a family is not sold in", raw => { web(raw).families = ["c5"]; web(raw).size = "8xlarge"; }, "mastodon:web.size", "not sold in that size"],
    ["unknown family", raw => { web(raw).families = ["c7i", "c99x"]; }, "mastodon:web.families", "allowed: c7i"],
    ["two architectures in one group", raw => { web(raw).families = ["c7i", "c7g"]; }, "mastodon:web.families", "one architecture"],
    ["burstable mixed with fixed", raw => { web(raw).families = ["c7i", "t3"]; web(raw).size = "xlarge"; }, "mastodon:web.families", "burstable"],
    ["min above max", raw => { web(raw).min = 20; }, "mastodon:web.min", "must not exceed web.max (12)"],
    ["on-demand base above max", raw => { web(raw).onDemandBase = 40; }, "mastodon:web.onDemandBase", "must not exceed"],
    ["on-demand percent out of range", raw => { web(raw).onDemandPercentAboveBase = 150; }, "mastodon:web.onDemandPercentAboveBase", "from 0 to 100"],
    ["puma workers zero", raw => { web(raw).pumaWorkers = 0; }, "mastodon:web.pumaWorkers", "from 1 to 64"],
    ["typo in a role key", raw => { web(raw).sise = "xlarge"; }, "mastodon:web.sise", "unknown key; allowed keys of mastodon:web"],
    ["typo in a top-level key", raw => { raw.webb = {}; }, "mastodon:webb", "unknown key; allowed: domain"],
    ["web missing", raw => { delete raw.web; }, "mastodon:web", "required"],
    ["a queue nobody serves", raw => { raw.sidekiq = (raw.sidekiq as Group[]).filter(g => g.name !== "push"); }, "mastodon:sidekiq", 'queue "push" is served by no group'],
    ["a queue served twice", raw => { (group(raw, "default").queues as string[]).push("push"); }, "mastodon:sidekiq", 'queue "push" is served by groups default, push'],
    ["an unknown queue", raw => { group(raw, "default").queues = ["default", "defualt"]; }, "mastodon:sidekiq[0].queues", "unknown entry; allowed: default, push"],
    ["scheduler scaled out", raw => { group(raw, "scheduler").max = 2; }, "mastodon:sidekiq[5].max", "exactly one process"],
    ["scheduler with two processes", raw => { group(raw, "scheduler").processes = 2; }, "mastodon:sidekiq[5].processes", "1 process per instance"],
    ["scheduler on spot", raw => { group(raw, "scheduler").onDemandBase = 0; }, "mastodon:sidekiq[5].onDemandBase", "must be on-demand"],
    ["a Sidekiq group that can scale to zero", raw => { group(raw, "push").min = 0; }, "mastodon:sidekiq[1].min", "needs min 1 or more"],
    ["threads zero", raw => { group(raw, "push").threads = 0; }, "mastodon:sidekiq[1].threads", "from 1 to 100"],
    ["group name with capitals", raw => { group(raw, "push").name = "Push_Queue"; }, "mastodon:sidekiq[1].name", "lowercase letters"],
    ["two groups with one name", raw => { group(raw, "pull").name = "push"; }, "mastodon:sidekiq[2].name", "must be unique"],
    ["sidekiq not a list", raw => { raw.sidekiq = { name: "default" }; }, "mastodon:sidekiq", "a list of queue groups"],
    ["unknown DB class", raw => { (raw.database as Raw).instanceClass = "db.x1.huge"; }, "mastodon:database.instanceClass", "expected one of: db.t4g.micro"],
    ["too few backup days", raw => { (raw.database as Raw).backupRetentionDays = 3; }, "mastodon:database.backupRetentionDays", "from 7 to 35"],
    ["PostgreSQL too old", raw => { (raw.database as Raw).engineVersion = "11"; }, "mastodon:database.engineVersion", "from 13 to 17"],
    ["connections over the class's limit", raw => { web(raw).max = 100; }, "mastodon:database.instanceClass", "default max_connections allows 5000. Ways out: lower max, threads, pumaThreads or dbPool; fewer processes; a larger database.instanceClass; or a pooler (database.pooler: rdsProxy)"],
    ["memcached", raw => { (raw.cache as Raw).engine = "memcached"; }, "mastodon:cache.engine", "valkey, redis"],
    ["a Redis OSS version that does not exist", raw => { raw.cache = { ...(raw.cache as Raw), engine: "redis", engineVersion: "7.2" }; }, "mastodon:cache.engineVersion", "expected one of: 6.2, 7.0, 7.1"],
    ["public CIDR", raw => { (raw.network as Raw).cidr = "192.168.0.0/16"; }, "mastodon:network.cidr", "private 10.x.0.0 block"],
    ["one AZ", raw => { (raw.network as Raw).azCount = 1; }, "mastodon:network.azCount", "from 2 to 6"],
    ["domain with spaces", raw => { raw.domain = "not a domain"; }, "mastodon:domain", "lowercase DNS name"],
    ["zone that does not hold the domain", raw => { raw.dnsZone = "other.example.net"; }, "mastodon:dnsZone", "a parent of it"],
    ["no image name", raw => { delete (raw.image as Raw).name; }, "mastodon:image.name", "look up the x86_64 image"],
    ["malformed AMI id", raw => { (raw.image as Raw).amiIds = { x86_64: "ami-XYZ" }; }, "mastodon:image.amiIds.x86_64", "an AMI id such as"],
    ["bad from address", raw => { (raw.smtp as Raw).fromAddress = "notifications"; }, "mastodon:smtp.fromAddress", "an email address"],
    ["tiny worker_connections", raw => { (raw.nginx as Raw).workerConnections = 10; }, "mastodon:nginx.workerConnections", "from 512 to 65535"],
    ["unknown price class", raw => { (raw.media as Raw).priceClass = "cheap"; }, "mastodon:media.priceClass", "PriceClass_100"],
    ["protectData not a boolean", raw => { raw.protectData = "yes"; }, "mastodon:protectData", "true or false"],
    ["burstable web in production", raw => { web(raw).families = ["t3a", "t3"]; web(raw).size = "xlarge"; }, "mastodon:web.families", "set mastodon:allow.burstable: true to accept it"],
    ["burstable database in production", raw => { (raw.database as Raw).instanceClass = "db.t4g.large"; }, "mastodon:database.instanceClass", "a burstable class runs on CPU credits"],
    ["burstable cache in production", raw => { (raw.cache as Raw).nodeType = "cache.t4g.medium"; }, "mastodon:cache.nodeType", "allow.burstable"],
    ["single-AZ database in production", raw => { (raw.database as Raw).multiAz = false; }, "mastodon:database.multiAz", "set mastodon:allow.singleAz: true"],
    ["cache without replica in production", raw => { (raw.cache as Raw).replicas = 0; }, "mastodon:cache.replicas", "no failover"],
    ["a shared queue not served by the group", raw => { group(raw, "push").sharedQueues = ["pull"]; }, "mastodon:sidekiq[1].sharedQueues", "unknown entry; allowed: push"],
    ["a queue shared by only one side", raw => { (group(raw, "default").queues as string[]).push("push"); group(raw, "default").sharedQueues = ["push"]; }, "mastodon:sidekiq", "list \"push\" in sharedQueues of each"],
    ["max_connections above what memory allows", raw => { (raw.database as Raw).maxConnections = 99999; }, "mastodon:database.maxConnections", "from 20 to 7209"],
    ["max_connections lowered under the budget", raw => { (raw.database as Raw).maxConnections = 2000; }, "mastodon:database.instanceClass", "max_connections in the parameter group allows 2000"],
    ["unknown pooler", raw => { (raw.database as Raw).pooler = "pgpool"; }, "mastodon:database.pooler", "none, rdsProxy"],
    ["bad alert address", raw => { raw.alerts = { emails: ["oncall"] }; }, "mastodon:alerts.emails", "an email address"],
    ["production not a boolean", raw => { raw.production = "yes"; }, "mastodon:production", "true or false"],
    ["typo in allow", raw => { raw.allow = { burstible: true }; }, "mastodon:allow.burstible", "unknown key"],
    ["negative usage", raw => { (raw.usage as Raw).natGb = -5; }, "mastodon:usage.natGb", "from 0 to 1000000"],
    ["usage in the wrong unit", raw => { (raw.usage as Raw).cdnEgressGb = "30TB"; }, "mastodon:usage.cdnEgressGb", "from 0 to 1000000"],
    ["LCUs not a number", raw => { (raw.usage as Raw).albLcus = "twenty"; }, "mastodon:usage.albLcus", "expected a number from 0 to 10000"],
];

function errorOf(region: string | undefined, raw: Raw): ConfigError {
    try {
        parseEnvironment("prod", region, raw);
    } catch (e) {
        if (e instanceof ConfigError) return e;
        throw e;
    }
    assert.fail("the config was accepted");
}

describe("config validation", () => {
    it("accepts both shipped stacks", () => {
        for (const stack of ["staging", "prod"]) {
            const input = readStack({ stack });
            assert.equal(parseEnvironment(stack, input.config["aws:region"], projectValues(input.config)).stack, stack);
        }
    });

    for (const [what, breakIt, key, says] of CASES) {
        it(`refuses ${what}, naming ${key}`, () => {
            const { region, raw } = prodRaw();
            breakIt(raw);
            const message = errorOf(region, raw).message;
            assert.ok(message.includes('stack "prod"'), message);
            const line = message.split("\n").find(l => l.includes(`${key} =`));
            assert.ok(line, `no line names ${key}:\n${message}`);
            assert.ok(line.startsWith("  - [prod] "), line);
            assert.ok(line.includes(says), `expected "${says}" in: ${line}`);
        });
    }

    it("accepts what the guards let through on purpose", () => {
        const cases: [string, (raw: Raw) => void][] = [
            ["a queue every serving group shares", raw => { (group(raw, "default").queues as string[]).push("push"); group(raw, "default").sharedQueues = ["push"]; group(raw, "push").sharedQueues = ["push"]; }],
            ["more connections than the class holds, behind RDS Proxy", raw => { web(raw).max = 100; (raw.database as Raw).pooler = "rdsProxy"; }],
            ["burstable and single-AZ production, allowed", raw => { web(raw).families = ["t3"]; web(raw).size = "xlarge"; (raw.database as Raw).multiAz = false; raw.allow = { burstable: true, singleAz: true }; }],
            ["burstable outside production", raw => { web(raw).families = ["t3"]; web(raw).size = "xlarge"; raw.production = false; }],
        ];
        for (const [what, change] of cases) {
            const { region, raw } = prodRaw();
            change(raw);
            assert.doesNotThrow(() => parseEnvironment("prod", region, raw), what);
        }
    });

    it("refuses a stack name too long for AWS's resource names", () => {
        const { region, raw } = prodRaw();
        assert.throws(() => parseEnvironment("production-europe-west", region, raw), /\[production-europe-west\] stack name "production-europe-west": use 1-15 lowercase letters/);
    });

    it("refuses a missing region", () => {
        const { raw } = prodRaw();
        assert.match(errorOf(undefined, raw).message, /\[prod\] aws:region = nothing: required/);
    });

    it("lists every mistake at once", () => {
        const { region, raw } = prodRaw();
        web(raw).size = "huge";
        (raw.cache as Raw).engine = "memcached";
        assert.equal(errorOf(region, raw).problems.length, 4); // the size is unknown to each of web's 3 families
    });
});

describe("a refused config", () => {
    for (const [what, breakIt] of CASES) {
        it(`registers no resource: ${what}`, async () => {
            const mocks = new RecordingMocks("ap-northeast-1");
            await assert.rejects(planInput(inputWith("prod", breakIt), mocks), ConfigError);
            assert.equal(mocks.resources.length, 0);
        });
    }
});

describe("Pulumi.yaml", () => {
    it("describes every config key the program reads, and declares the scalar ones with the schema's defaults", () => {
        const text = readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8");
        for (const key of TOP_LEVEL_KEYS) assert.match(text, new RegExp(`^ {2}(#\\s+)?${key}:`, "m"), `Pulumi.yaml does not describe ${key}`);
        // Sub-keys: every field each structured key accepts is listed on its line(s).
        for (const [key, fields] of Object.entries({ web: ["targetCpuPercent", "pumaWorkers"], sidekiq: ["drainSeconds", "sharedQueues"], database: ["pooler", "maxConnections"] })) {
            const block = text.slice(text.indexOf(`#   ${key}:`)).split(/\n\s+#\s{3}\w+:/)[0];
            for (const f of fields) assert.ok(block.includes(f), `Pulumi.yaml's ${key} line lacks ${f}`);
        }
        const declared = parse(text).config as Record<string, { default?: unknown }>;
        assert.equal(declared.protectData.default, DEFAULTS.protectData);
    });
});
