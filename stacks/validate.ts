// Turns one stack's raw config into a typed EnvironmentConfig, or refuses it with every problem
// listed. Pure: no Pulumi runtime, no AWS, so it is tested table-style without mocks.

import { CACHE_ENGINE_VERSIONS, CACHE_NODE_TYPES, DB_CLASS_MEMORY_GIB, INSTANCE_FAMILIES, MASTODON_QUEUES, uncappedMaxConnections } from "./catalog";
import { applyGuards } from "./guards";
import { Raw, Reader } from "./reader";
import {
    AlertsConfig, AllowConfig, CacheConfig, CapacityConfig, DatabaseConfig, DEFAULTS, EnvironmentConfig, ImageConfig,
    MediaConfig, NetworkConfig, NginxConfig, SidekiqGroupConfig, SmtpConfig, StreamingConfig, TOP_LEVEL_KEYS, UsageConfig, WebConfig,
} from "./schema";

const CAPACITY_KEYS = ["families", "size", "min", "max", "onDemandBase", "onDemandPercentAboveBase"] as const;
const DOMAIN = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const GROUP_NAME = /^[a-z][a-z0-9-]{0,19}$/;

/** Validates a whole stack's config. `raw` maps `mastodon:` keys (without the namespace) to parsed values. */
export function parseEnvironment(stack: string, region: string | undefined, raw: Raw): EnvironmentConfig {
    const r = new Reader(stack);
    for (const k of Object.keys(raw)) {
        if (!(TOP_LEVEL_KEYS as readonly string[]).includes(k)) r.fail(k, raw[k], `unknown key; allowed: ${TOP_LEVEL_KEYS.join(", ")}`);
    }
    // Resource names are "mastodon-<stack>-..." plus Pulumi's 8-character suffix; the ALB's 32-character cap decides.
    if (!/^[a-z][a-z0-9-]{0,14}$/.test(stack)) r.problems.push(`[${stack}] stack name "${stack}": use 1-15 lowercase letters, digits and dashes, starting with a letter (AWS caps load balancer names at 32 characters)`);
    if (!region) r.problems.push(`[${stack}] aws:region = nothing: required, e.g. "ap-northeast-1" (pulumi config set aws:region ...)`);

    const domain = r.string(raw, "", "domain", { pattern: DOMAIN, hint: "a lowercase DNS name such as social.example.org; LOCAL_DOMAIN can never change later" });
    const dnsZone = r.string(raw, "", "dnsZone", { pattern: DOMAIN, hint: "the Route53 hosted zone that holds the domain" });
    if (domain && dnsZone && domain !== dnsZone && !domain.endsWith(`.${dnsZone}`)) {
        r.fail("dnsZone", dnsZone, `must be "${domain}" or a parent of it, so the certificate can be validated there`);
    }

    const env: EnvironmentConfig = {
        stack,
        region: region ?? "",
        domain,
        dnsZone,
        protectData: r.bool(raw, "", "protectData", DEFAULTS.protectData),
        production: r.bool(raw, "", "production", DEFAULTS.production(stack)),
        allow: parseAllow(r, raw.allow),
        alerts: parseAlerts(r, raw.alerts),
        network: parseNetwork(r, raw.network),
        image: parseImage(r, raw.image),
        database: parseDatabase(r, raw.database),
        cache: parseCache(r, raw.cache),
        media: parseMedia(r, raw.media),
        smtp: parseSmtp(r, raw.smtp),
        nginx: parseNginx(r, raw.nginx),
        web: parseWeb(r, raw.web),
        streaming: parseStreaming(r, raw.streaming),
        sidekiq: parseSidekiq(r, raw.sidekiq),
        usage: parseUsage(r, raw.usage),
    };
    applyGuards(r, env);
    r.check();
    return env;
}

function parseAllow(r: Reader, value: unknown): AllowConfig {
    const o = r.object(value, "allow", ["burstable", "singleAz"]);
    return { burstable: r.bool(o, "allow", "burstable", DEFAULTS.allow.burstable), singleAz: r.bool(o, "allow", "singleAz", DEFAULTS.allow.singleAz) };
}

function parseAlerts(r: Reader, value: unknown): AlertsConfig {
    const d = DEFAULTS.alerts;
    const o = r.object(value, "alerts", ["emails", ...Object.keys(d)]);
    const emails = o.emails === undefined ? [] : r.stringList(o, "alerts", "emails");
    for (const e of emails) if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e)) r.fail("alerts.emails", e, "expected an email address such as oncall@social.example.org");
    const percent = (key: Exclude<keyof typeof d, "runbookBaseUrl">) => r.int(o, "alerts", key, 1, 99, d[key]);
    return {
        emails,
        runbookBaseUrl: r.string(o, "alerts", "runbookBaseUrl", { default: d.runbookBaseUrl, pattern: /^(https:\/\/\S+|docs\/runbooks)$/, hint: "an https:// URL of this repository's docs/runbooks folder" }).replace(/\/$/, ""),
        cpuCreditBalanceMin: r.int(o, "alerts", "cpuCreditBalanceMin", 1, 1000, d.cpuCreditBalanceMin),
        dbConnectionsPercent: percent("dbConnectionsPercent"),
        dbCpuPercent: percent("dbCpuPercent"),
        dbFreeStoragePercent: percent("dbFreeStoragePercent"),
        http5xxPer5Minutes: r.int(o, "alerts", "http5xxPer5Minutes", 1, 1000000, d.http5xxPer5Minutes),
        responseTimeP95Seconds: r.int(o, "alerts", "responseTimeP95Seconds", 1, 60, d.responseTimeP95Seconds),
        redisMemoryPercent: percent("redisMemoryPercent"),
        redisCpuPercent: percent("redisCpuPercent"),
    };
}

function parseNetwork(r: Reader, value: unknown): NetworkConfig {
    const o = r.object(value, "network", ["cidr", "azCount", "natGateways"]);
    const d = DEFAULTS.network;
    return {
        cidr: r.string(o, "network", "cidr", { default: d.cidr, pattern: /^10\.\d{1,3}\.0\.0\/(1[6-9]|20)$/, hint: "a private 10.x.0.0 block from /16 to /20, e.g. 10.20.0.0/16" }),
        azCount: r.int(o, "network", "azCount", 2, 6, d.azCount),
        natGateways: r.oneOf(o, "network", "natGateways", ["perAz", "single"] as const, d.natGateways),
    };
}

function parseImage(r: Reader, value: unknown): ImageConfig {
    const o = r.object(value, "image", ["amiIds", "owner", "name"]);
    const ids = r.object(o.amiIds, "image.amiIds", ["x86_64", "arm64"]);
    const amiIds: ImageConfig["amiIds"] = {};
    for (const arch of ["x86_64", "arm64"] as const) {
        if (ids[arch] !== undefined) amiIds[arch] = r.string(ids, "image.amiIds", arch, { pattern: /^ami-[0-9a-f]{8,17}$/, hint: "an AMI id such as ami-0abc12345def67890" });
    }
    return {
        amiIds,
        owner: r.string(o, "image", "owner", { default: DEFAULTS.image.owner, pattern: /^(self|amazon|\d{12})$/, hint: '"self", "amazon" or a 12-digit account id' }),
        // The name filter is only needed where no fixed id covers an architecture; checked later.
        name: typeof o.name === "string" ? o.name : "",
    };
}

function parseDatabase(r: Reader, value: unknown): DatabaseConfig {
    const o = r.object(value, "database", ["instanceClass", "engineVersion", "storageGb", "maxStorageGb", "multiAz", "backupRetentionDays", "deletionProtection", "maxConnections", "pooler"]);
    const d = DEFAULTS.database;
    const instanceClass = r.oneOf(o, "database", "instanceClass", Object.keys(DB_CLASS_MEMORY_GIB));
    const storageGb = r.int(o, "database", "storageGb", 20, 65536, d.storageGb);
    return {
        instanceClass,
        engineVersion: r.string(o, "database", "engineVersion", { default: d.engineVersion, pattern: /^1[3-7](\.\d+)?$/, hint: 'a PostgreSQL version from 13 to 17, e.g. "16" or "16.4"' }),
        storageGb,
        maxStorageGb: r.int(o, "database", "maxStorageGb", storageGb, 65536, storageGb * 4),
        multiAz: r.bool(o, "database", "multiAz", d.multiAz),
        backupRetentionDays: r.int(o, "database", "backupRetentionDays", 7, 35, d.backupRetentionDays),
        deletionProtection: r.bool(o, "database", "deletionProtection", d.deletionProtection),
        // Lower than AWS's default, or higher up to what the class's memory supports (past the 5000 cap).
        maxConnections: o.maxConnections === undefined ? d.maxConnections
            : r.int(o, "database", "maxConnections", 20, uncappedMaxConnections(DB_CLASS_MEMORY_GIB[instanceClass] ?? 1)),
        pooler: r.oneOf(o, "database", "pooler", ["none", "rdsProxy"] as const, d.pooler),
    };
}

function parseCache(r: Reader, value: unknown): CacheConfig {
    const o = r.object(value, "cache", ["engine", "engineVersion", "nodeType", "replicas"]);
    const d = DEFAULTS.cache;
    const engine = r.oneOf(o, "cache", "engine", ["valkey", "redis"] as const, d.engine);
    const versions = Object.keys(CACHE_ENGINE_VERSIONS[engine]);
    return {
        engine,
        engineVersion: r.oneOf(o, "cache", "engineVersion", versions, d.engineVersion[engine]),
        nodeType: r.oneOf(o, "cache", "nodeType", CACHE_NODE_TYPES),
        replicas: r.int(o, "cache", "replicas", 0, 5, d.replicas),
    };
}

function parseMedia(r: Reader, value: unknown): MediaConfig {
    const o = r.object(value, "media", ["priceClass"]);
    return { priceClass: r.oneOf(o, "media", "priceClass", ["PriceClass_100", "PriceClass_200", "PriceClass_All"] as const, DEFAULTS.media.priceClass) };
}

function parseUsage(r: Reader, value: unknown): UsageConfig {
    const o = r.object(value, "usage", Object.keys(DEFAULTS.usage));
    const d = DEFAULTS.usage;
    const PB = 1_000_000;   // a petabyte in GB: far past any instance, so a typo in units shows
    return {
        cdnEgressGb: r.int(o, "usage", "cdnEgressGb", 0, PB, d.cdnEgressGb),
        mediaStoredGb: r.int(o, "usage", "mediaStoredGb", 0, PB, d.mediaStoredGb),
        natGb: r.int(o, "usage", "natGb", 0, PB, d.natGb),
        internetEgressGb: r.int(o, "usage", "internetEgressGb", 0, PB, d.internetEgressGb),
        albLcus: r.number(o, "usage", "albLcus", 0, 10_000, d.albLcus),
    };
}

function parseSmtp(r: Reader, value: unknown): SmtpConfig {
    const o = r.object(value, "smtp", ["server", "port", "fromAddress", "login"]);
    return {
        server: r.string(o, "smtp", "server", { pattern: /^[a-z0-9.-]+$/, hint: "a host name such as email-smtp.ap-northeast-1.amazonaws.com" }),
        port: r.int(o, "smtp", "port", 1, 65535, DEFAULTS.smtp.port),
        fromAddress: r.string(o, "smtp", "fromAddress", { pattern: /^[^\s@]+@[^\s@]+$/, hint: "an email address such as notifications@social.example.org" }),
        login: typeof o.login === "string" ? o.login : DEFAULTS.smtp.login,
    };
}

function parseNginx(r: Reader, value: unknown): NginxConfig {
    const o = r.object(value, "nginx", Object.keys(DEFAULTS.nginx));
    const d = DEFAULTS.nginx;
    return {
        workerProcesses: r.int(o, "nginx", "workerProcesses", 1, 64, d.workerProcesses),
        workerConnections: r.int(o, "nginx", "workerConnections", 512, 65535, d.workerConnections),
        workerRlimitNofile: r.int(o, "nginx", "workerRlimitNofile", 1024, 1048576, d.workerRlimitNofile),
        keepaliveTimeout: r.int(o, "nginx", "keepaliveTimeout", 1, 300, d.keepaliveTimeout),
        clientMaxBodySizeMb: r.int(o, "nginx", "clientMaxBodySizeMb", 1, 1024, d.clientMaxBodySizeMb),
    };
}

/** The capacity keys every group shares: families, size, min/max and the spot mix. */
function parseCapacity(r: Reader, o: Raw, path: string): CapacityConfig {
    const families = r.stringList(o, path, "families", Object.keys(INSTANCE_FAMILIES));
    const known = families.filter(f => INSTANCE_FAMILIES[f]);
    const size = r.string(o, path, "size", { hint: "a size such as large, xlarge or 2xlarge" });
    for (const f of known) {
        if (size && !INSTANCE_FAMILIES[f].sizes.includes(size)) r.fail(`${path}.size`, size, `${f} is not sold in that size; ${f} sizes: ${INSTANCE_FAMILIES[f].sizes.join(", ")}`);
    }
    const archs = new Set(known.map(f => INSTANCE_FAMILIES[f].architecture));
    if (archs.size > 1) r.fail(`${path}.families`, families, "mixes x86_64 and arm64 families; one group boots one image, so use families of one architecture");
    const burst = new Set(known.map(f => INSTANCE_FAMILIES[f].burstable));
    if (burst.size > 1) r.fail(`${path}.families`, families, "mixes burstable (t*) and fixed-performance families; CPU credit settings cannot serve both, so split them");
    const min = r.int(o, path, "min", 0, 500);
    const max = r.int(o, path, "max", 1, 500);
    if (min > max) r.fail(`${path}.min`, min, `must not exceed ${path}.max (${max})`);
    const onDemandBase = r.int(o, path, "onDemandBase", 0, 500, DEFAULTS.capacity.onDemandBase);
    if (onDemandBase > max) r.fail(`${path}.onDemandBase`, onDemandBase, `must not exceed ${path}.max (${max})`);
    return {
        families, size, min, max, onDemandBase,
        onDemandPercentAboveBase: r.int(o, path, "onDemandPercentAboveBase", 0, 100, DEFAULTS.capacity.onDemandPercentAboveBase),
    };
}

function parseWeb(r: Reader, value: unknown): WebConfig {
    const o = r.object(value, "web", [...CAPACITY_KEYS, "pumaWorkers", "pumaThreads", "targetCpuPercent"]);
    if (value === undefined) r.fail("web", value, "required: the web tier's families, size, min and max");
    return {
        ...parseCapacity(r, o, "web"),
        pumaWorkers: r.int(o, "web", "pumaWorkers", 1, 64, DEFAULTS.web.pumaWorkers),
        pumaThreads: r.int(o, "web", "pumaThreads", 1, 32, DEFAULTS.web.pumaThreads),
        targetCpuPercent: r.int(o, "web", "targetCpuPercent", 10, 90, DEFAULTS.web.targetCpuPercent),
    };
}

function parseStreaming(r: Reader, value: unknown): StreamingConfig {
    const o = r.object(value, "streaming", [...CAPACITY_KEYS, "processes", "dbPool", "targetCpuPercent"]);
    if (value === undefined) r.fail("streaming", value, "required: the streaming tier's families, size, min and max");
    return {
        ...parseCapacity(r, o, "streaming"),
        processes: r.int(o, "streaming", "processes", 1, 32, DEFAULTS.streaming.processes),
        dbPool: r.int(o, "streaming", "dbPool", 1, 100, DEFAULTS.streaming.dbPool),
        targetCpuPercent: r.int(o, "streaming", "targetCpuPercent", 10, 90, DEFAULTS.streaming.targetCpuPercent),
    };
}

function parseSidekiq(r: Reader, value: unknown): SidekiqGroupConfig[] {
    if (!Array.isArray(value) || value.length === 0) {
        r.fail("sidekiq", value, "required: a list of queue groups, each with name, queues, families, size, min, max and threads");
        return [];
    }
    const groups = value.map((g, i) => {
        const path = `sidekiq[${i}]`;
        const o = r.object(g, path, ["name", ...CAPACITY_KEYS, "queues", "threads", "processes", "sharedQueues", "targetLatencySeconds", "alarmLatencySeconds", "drainSeconds"]);
        const queues = r.stringList(o, path, "queues", MASTODON_QUEUES);
        const sharedQueues = o.sharedQueues === undefined ? [] : r.stringList(o, path, "sharedQueues", queues);
        return {
            name: r.string(o, path, "name", { pattern: GROUP_NAME, hint: "lowercase letters, digits and dashes, at most 20, e.g. push" }),
            queues,
            ...parseCapacity(r, o, path),
            threads: r.int(o, path, "threads", 1, 100),
            processes: r.int(o, path, "processes", 1, 16, DEFAULTS.sidekiq.processes),
            sharedQueues,
            targetLatencySeconds: r.int(o, path, "targetLatencySeconds", 1, 3600, DEFAULTS.sidekiq.targetLatencySeconds),
            alarmLatencySeconds: r.int(o, path, "alarmLatencySeconds", 10, 86400, DEFAULTS.sidekiq.alarmLatencySeconds),
            // A spot interruption gives 120 s: quiet for up to 60, then up to 40 for the stop.
            drainSeconds: r.int(o, path, "drainSeconds", 0, 60, DEFAULTS.sidekiq.drainSeconds),
        };
    });
    return groups;
}
