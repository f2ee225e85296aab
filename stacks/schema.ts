// The typed shape of one environment's config, and every default in one place.
// Stack files (Pulumi.<stack>.yaml) hold the values under the `mastodon:` namespace; validate.ts
// turns them into an EnvironmentConfig or refuses them with a message naming stack and key.

import { Architecture } from "./catalog";

/** How the instances of one autoscaling group are bought and sized. */
export interface CapacityConfig {
    /** Instance families the group may launch, in order of preference (e.g. [c7i, c6i, c6a]). */
    families: string[];
    /** Size within each family (e.g. "2xlarge"); every family is launched at this size. */
    size: string;
    /** Fewest instances the group keeps. */
    min: number;
    /** Most instances the group may reach; the DB connection budget counts this. */
    max: number;
    /** Instances always bought on-demand before any spot. Default 0. */
    onDemandBase: number;
    /** Share of capacity above the base bought on-demand, 0-100. Default 0 (all spot). */
    onDemandPercentAboveBase: number;
}

/** The web tier: nginx + puma. */
export interface WebConfig extends CapacityConfig {
    /** puma worker processes per instance (WEB_CONCURRENCY). Article: 8. */
    pumaWorkers: number;
    /** Threads per puma worker (MAX_THREADS); each holds one DB connection. Default 5. */
    pumaThreads: number;
    /** Average CPU percent the group's scaling policy holds. Default 60. */
    targetCpuPercent: number;
}

/** The streaming tier: several node processes per instance behind a local nginx. */
export interface StreamingConfig extends CapacityConfig {
    /** node streaming processes per instance, one port each from 4000. Default 2. */
    processes: number;
    /** DB_POOL of each streaming process. Default 10 (Mastodon's default). */
    dbPool: number;
    /** Average CPU percent the group's scaling policy holds. Default 50 (node is single-threaded per process). */
    targetCpuPercent: number;
}

/** One Sidekiq autoscaling group serving a set of queues. */
export interface SidekiqGroupConfig extends CapacityConfig {
    /** Group name, used in resource names and the unit name (lowercase, digits, dashes). */
    name: string;
    /** Queues this group's processes serve, in priority order. */
    queues: string[];
    /** Threads per Sidekiq process (`-c`); DB_POOL is set to the same. Article: 40. */
    threads: number;
    /** Sidekiq processes per instance. Default 1. */
    processes: number;
    /** Queues this group serves on purpose alongside another group that lists them too. Default none. */
    sharedQueues: string[];
    /** Age in seconds of the oldest job the scaling policy holds the group's queues at. Default 30. */
    targetLatencySeconds: number;
    /** Oldest-job age in seconds that raises the group's alarm. Default 300. */
    alarmLatencySeconds: number;
    /** Seconds a terminating instance stays quiet (no new jobs) before its processes stop, 0-60. Default 45. */
    drainSeconds: number;
}

/** The Mastodon-side nginx tuning on web nodes (the article's values are the defaults). */
export interface NginxConfig {
    /** worker_processes. Article: 4. Default "auto" would follow the vCPU count. */
    workerProcesses: number;
    /** worker_connections. Article: 8192. */
    workerConnections: number;
    /** worker_rlimit_nofile. Article: 65535. */
    workerRlimitNofile: number;
    /** keepalive_timeout in seconds. Article: 15. */
    keepaliveTimeout: number;
    /** client_max_body_size in MiB, the upload limit. Default 100 (Mastodon's video limit is 99 MB). */
    clientMaxBodySizeMb: number;
}

export interface NetworkConfig {
    /** VPC CIDR, a /16 to /20. Default 10.0.0.0/16. */
    cidr: string;
    /** Availability zones to span, 2-6. Default 2. */
    azCount: number;
    /** "perAz" (a NAT gateway per AZ, survives an AZ loss) or "single" (cheaper). Default perAz. */
    natGateways: "perAz" | "single";
}

/** Where the instances' image comes from: pinned amiIds, or owner + name for a lookup. */
export interface ImageConfig {
    /** A fixed AMI id per architecture; wins over the lookup. Default none. */
    amiIds: Partial<Record<Architecture, string>>;
    /** AMI owner for the lookup ("self" or an account id). Default "self". */
    owner: string;
    /** AMI name filter for the lookup, newest match wins (e.g. "mastodon-4.3.*"). */
    name: string;
}

export interface DatabaseConfig {
    /** RDS instance class (e.g. db.r7g.2xlarge). */
    instanceClass: string;
    /** PostgreSQL version, major or major.minor (e.g. "16" or "16.4"). Default "16". */
    engineVersion: string;
    /** Allocated storage in GiB. Default 100. */
    storageGb: number;
    /** Storage autoscaling ceiling in GiB. Default 4x storageGb. */
    maxStorageGb: number;
    /** Standby in a second AZ. Default true. */
    multiAz: boolean;
    /** Days of automated backups, 7-35. Default 14. */
    backupRetentionDays: number;
    /** Refuse `pulumi destroy` and console deletes. Default true. */
    deletionProtection: boolean;
    /** max_connections set in the parameter group; 0 keeps AWS's default formula. Default 0. */
    maxConnections: number;
    /** "rdsProxy" puts RDS Proxy between the app and the database; "none" connects directly. Default none. */
    pooler: "none" | "rdsProxy";
}

export interface CacheConfig {
    /** "valkey" or "redis". Default valkey. */
    engine: "valkey" | "redis";
    /** Engine version, one of catalog.CACHE_ENGINE_VERSIONS for the engine. Default "8.0" (valkey), "7.1" (redis). */
    engineVersion: string;
    /** ElastiCache node type (e.g. cache.r7g.large). */
    nodeType: string;
    /** Read replicas beside the primary, 0-5; at least 1 for automatic failover. Default 1. */
    replicas: number;
}

export interface MediaConfig {
    /** CloudFront price class: PriceClass_100, PriceClass_200 or PriceClass_All. Default PriceClass_100. */
    priceClass: "PriceClass_100" | "PriceClass_200" | "PriceClass_All";
}

export interface SmtpConfig {
    /** SMTP server host (e.g. email-smtp.<region>.amazonaws.com for SES). */
    server: string;
    /** SMTP port. Default 587. */
    port: number;
    /** From address of Mastodon's mail (SMTP_FROM_ADDRESS). */
    fromAddress: string;
    /** SMTP login; the password lives in SSM, never in config. Default none. */
    login: string;
}

/** Expected monthly usage: read only by `npm run cost`; nothing deployed depends on it. */
export interface UsageConfig {
    /** GB a month CloudFront serves to viewers (media). Default 100. */
    cdnEgressGb: number;
    /** GB of media stored in the bucket. Default 100. */
    mediaStoredGb: number;
    /** GB a month the NAT gateways process, both ways (federation deliveries, fetching remote media). Default 50. */
    natGb: number;
    /** GB a month leaving for the internet from the instances, via NAT or the ALB (deliveries, pages, API, streaming). Default 50. */
    internetEgressGb: number;
    /** Average load balancer capacity units (LCUs) the ALB bills; may be fractional. Default 1. */
    albLcus: number;
}

/** Deliberate exceptions to the production guards. */
export interface AllowConfig {
    /** Let production run burstable (t*) instance, DB or cache classes. Default false. */
    burstable: boolean;
    /** Let production run a single-AZ database or a cache without a replica. Default false. */
    singleAz: boolean;
}

export interface AlertsConfig {
    /** Email addresses subscribed to the alarm topic (each must confirm). Default none. */
    emails: string[];
    /** Where alarm descriptions point for runbooks, e.g. https://github.com/acme/mastodon-aws/blob/main/docs/runbooks. Default "docs/runbooks". */
    runbookBaseUrl: string;
    /** CPUCreditBalance below which a burstable instance alarms. Default 50. */
    cpuCreditBalanceMin: number;
    /** DatabaseConnections, as a percent of max_connections, that alarms. Default 80. */
    dbConnectionsPercent: number;
    /** Database CPU percent that alarms. Default 80. */
    dbCpuPercent: number;
    /** Free storage, as a percent of the initial allocation, below which the database alarms. Default 5 (storage autoscaling acts at 10%). */
    dbFreeStoragePercent: number;
    /** 5xx responses (ALB and targets) in 5 minutes that alarm. Default 50. */
    http5xxPer5Minutes: number;
    /** p95 target response time in seconds that alarms. Default 2. */
    responseTimeP95Seconds: number;
    /** Redis memory percent that alarms. Default 80. */
    redisMemoryPercent: number;
    /** Redis engine CPU percent that alarms. Default 80. */
    redisCpuPercent: number;
}

/** One environment, fully resolved: everything the components need and nothing they read themselves. */
export interface EnvironmentConfig {
    /** Stack name (staging, prod, ...). */
    stack: string;
    /** AWS region, from aws:region. */
    region: string;
    /** LOCAL_DOMAIN: the instance's domain. It can never change after the first user signs up. */
    domain: string;
    /** Route53 hosted zone that holds `domain`; the certificate is validated in it. */
    dnsZone: string;
    /** Mark databases, caches, buckets and distributions `protect` in Pulumi. Default true. */
    protectData: boolean;
    /** Production guards apply. Default true for stacks named prod, production or prod-*. */
    production: boolean;
    allow: AllowConfig;
    alerts: AlertsConfig;
    network: NetworkConfig;
    image: ImageConfig;
    database: DatabaseConfig;
    cache: CacheConfig;
    media: MediaConfig;
    smtp: SmtpConfig;
    nginx: NginxConfig;
    web: WebConfig;
    streaming: StreamingConfig;
    sidekiq: SidekiqGroupConfig[];
    usage: UsageConfig;
}

/** Defaults for everything optional, in one place. Required keys have no entry here. */
export const DEFAULTS = {
    protectData: true,
    production: (stack: string): boolean => /^prod(uction)?(-|$)/.test(stack),
    allow: { burstable: false, singleAz: false },
    alerts: {
        runbookBaseUrl: "docs/runbooks",
        cpuCreditBalanceMin: 50, dbConnectionsPercent: 80, dbCpuPercent: 80, dbFreeStoragePercent: 5,
        http5xxPer5Minutes: 50, responseTimeP95Seconds: 2, redisMemoryPercent: 80, redisCpuPercent: 80,
    },
    network: { cidr: "10.0.0.0/16", azCount: 2, natGateways: "perAz" },
    image: { owner: "self" },
    database: { engineVersion: "16", storageGb: 100, multiAz: true, backupRetentionDays: 14, deletionProtection: true, maxConnections: 0, pooler: "none" },
    cache: { engine: "valkey", engineVersion: { valkey: "8.0", redis: "7.1" }, replicas: 1 },
    media: { priceClass: "PriceClass_100" },
    smtp: { port: 587, login: "" },
    // The article's nginx values.
    nginx: { workerProcesses: 4, workerConnections: 8192, workerRlimitNofile: 65535, keepaliveTimeout: 15, clientMaxBodySizeMb: 100 },
    capacity: { onDemandBase: 0, onDemandPercentAboveBase: 0 },
    web: { pumaWorkers: 2, pumaThreads: 5, targetCpuPercent: 60 },
    streaming: { processes: 2, dbPool: 10, targetCpuPercent: 50 },
    sidekiq: { processes: 1, targetLatencySeconds: 30, alarmLatencySeconds: 300, drainSeconds: 45 },
    usage: { cdnEgressGb: 100, mediaStoredGb: 100, natGb: 50, internetEgressGb: 50, albLcus: 1 },
} as const;

/** The top-level keys a stack file may set under `mastodon:`. Anything else is a typo. */
export const TOP_LEVEL_KEYS = [
    "domain", "dnsZone", "protectData", "production", "allow", "alerts", "network", "image", "database", "cache", "media",
    "smtp", "nginx", "web", "streaming", "sidekiq", "usage",
] as const;
