// Facts about AWS and Mastodon that validation and sizing rely on. Kept in one place so a
// reviewer can check them against the sources named beside each table.

/** CPU architecture as EC2 and AMIs name it. */
export type Architecture = "x86_64" | "arm64";

/** One EC2 instance family: what validation needs to know to accept or refuse it. */
export interface InstanceFamily {
    /** CPU architecture of every size in the family. */
    architecture: Architecture;
    /** T-family: runs on CPU credits (the article's collapse when credits ran out). */
    burstable: boolean;
    /** GiB of memory per vCPU (c = 2, m = 4, r = 8; burstable sizes vary, see below). */
    memoryPerVcpuGiB: number;
    /** Sizes this family is sold in. */
    sizes: readonly string[];
}

const COMPUTE_SIZES = ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"] as const;
const BURSTABLE_SIZES = ["micro", "small", "medium", "large", "xlarge", "2xlarge"] as const;

// Current and previous generations of the families a Mastodon tier can sensibly run on.
// Source: the EC2 instance type pages (aws.amazon.com/ec2/instance-types), 2026.
export const INSTANCE_FAMILIES: Readonly<Record<string, InstanceFamily>> = {
    // Compute optimized: the article moved web and sidekiq from t2 to c4; these are its successors.
    c7i: { architecture: "x86_64", burstable: false, memoryPerVcpuGiB: 2, sizes: COMPUTE_SIZES },
    c7a: { architecture: "x86_64", burstable: false, memoryPerVcpuGiB: 2, sizes: COMPUTE_SIZES },
    c6i: { architecture: "x86_64", burstable: false, memoryPerVcpuGiB: 2, sizes: COMPUTE_SIZES },
    c6a: { architecture: "x86_64", burstable: false, memoryPerVcpuGiB: 2, sizes: COMPUTE_SIZES },
    c5: { architecture: "x86_64", burstable: false, memoryPerVcpuGiB: 2, sizes: ["large", "xlarge", "2xlarge", "4xlarge", "12xlarge"] },
    c5a: { architecture: "x86_64", burstable: false, memoryPerVcpuGiB: 2, sizes: ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"] },
    c8g: { architecture: "arm64", burstable: false, memoryPerVcpuGiB: 2, sizes: COMPUTE_SIZES },
    c7g: { architecture: "arm64", burstable: false, memoryPerVcpuGiB: 2, sizes: COMPUTE_SIZES },
    c6g: { architecture: "arm64", burstable: false, memoryPerVcpuGiB: 2, sizes: COMPUTE_SIZES },
    // General purpose.
    m7i: { architecture: "x86_64", burstable: false, memoryPerVcpuGiB: 4, sizes: COMPUTE_SIZES },
    m7a: { architecture: "x86_64", burstable: false, memoryPerVcpuGiB: 4, sizes: COMPUTE_SIZES },
    m6i: { architecture: "x86_64", burstable: false, memoryPerVcpuGiB: 4, sizes: COMPUTE_SIZES },
    m6a: { architecture: "x86_64", burstable: false, memoryPerVcpuGiB: 4, sizes: COMPUTE_SIZES },
    m8g: { architecture: "arm64", burstable: false, memoryPerVcpuGiB: 4, sizes: COMPUTE_SIZES },
    m7g: { architecture: "arm64", burstable: false, memoryPerVcpuGiB: 4, sizes: COMPUTE_SIZES },
    m6g: { architecture: "arm64", burstable: false, memoryPerVcpuGiB: 4, sizes: COMPUTE_SIZES },
    // Memory optimized.
    r7i: { architecture: "x86_64", burstable: false, memoryPerVcpuGiB: 8, sizes: COMPUTE_SIZES },
    r6i: { architecture: "x86_64", burstable: false, memoryPerVcpuGiB: 8, sizes: COMPUTE_SIZES },
    r7g: { architecture: "arm64", burstable: false, memoryPerVcpuGiB: 8, sizes: COMPUTE_SIZES },
    // Burstable: fine for staging; the article's production collapsed on them.
    t3: { architecture: "x86_64", burstable: true, memoryPerVcpuGiB: 2, sizes: BURSTABLE_SIZES },
    t3a: { architecture: "x86_64", burstable: true, memoryPerVcpuGiB: 2, sizes: BURSTABLE_SIZES },
    t4g: { architecture: "arm64", burstable: true, memoryPerVcpuGiB: 2, sizes: BURSTABLE_SIZES },
};

/** vCPUs per size name, for sizes at or above large (burstable micro..medium have 2). */
export const VCPUS_PER_SIZE: Readonly<Record<string, number>> = {
    micro: 2, small: 2, medium: 2, large: 2, xlarge: 4, "2xlarge": 8, "4xlarge": 16,
    "8xlarge": 32, "12xlarge": 48, "16xlarge": 64,
};

/**
 * Memory in GiB of the RDS classes this program accepts. RDS's default PostgreSQL
 * `max_connections` is LEAST(DBInstanceClassMemory / 9531392, 5000), so memory decides how
 * many connections the app may open. Source: the RDS instance class tables and the RDS
 * PostgreSQL parameter defaults, 2026.
 */
export const DB_CLASS_MEMORY_GIB: Readonly<Record<string, number>> = {
    "db.t4g.micro": 1, "db.t4g.small": 2, "db.t4g.medium": 4, "db.t4g.large": 8,
    "db.m7g.large": 8, "db.m7g.xlarge": 16, "db.m7g.2xlarge": 32, "db.m7g.4xlarge": 64,
    "db.m7g.8xlarge": 128, "db.m6i.large": 8, "db.m6i.xlarge": 16, "db.m6i.2xlarge": 32,
    "db.m6i.4xlarge": 64, "db.r7g.large": 16, "db.r7g.xlarge": 32, "db.r7g.2xlarge": 64,
    "db.r7g.4xlarge": 128, "db.r7g.8xlarge": 256, "db.r6i.large": 16, "db.r6i.xlarge": 32,
    "db.r6i.2xlarge": 64, "db.r6i.4xlarge": 128,
};

/** ElastiCache node types this program accepts (Redis/Valkey, cluster mode off). */
export const CACHE_NODE_TYPES: readonly string[] = [
    "cache.t4g.micro", "cache.t4g.small", "cache.t4g.medium",
    "cache.m7g.large", "cache.m7g.xlarge", "cache.m7g.2xlarge",
    "cache.r7g.large", "cache.r7g.xlarge", "cache.r7g.2xlarge", "cache.r7g.4xlarge",
];

/**
 * ElastiCache engine versions (cluster mode off) and the parameter group family of each.
 * Source: the ElastiCache supported-versions page, 2026. Redis OSS stopped at 7.1; Valkey is
 * its open successor.
 */
export const CACHE_ENGINE_VERSIONS: Readonly<Record<"valkey" | "redis", Readonly<Record<string, string>>>> = {
    valkey: { "7.2": "valkey7", "8.0": "valkey8", "8.1": "valkey8" },
    redis: { "6.2": "redis6.x", "7.0": "redis7", "7.1": "redis7" },
};

/**
 * Every Sidekiq queue Mastodon 4.3+ enqueues to. A queue no process serves piles up
 * silently, so validation insists each is listed in some group.
 */
export const MASTODON_QUEUES: readonly string[] = ["default", "push", "ingress", "mailers", "pull", "scheduler", "fasp"];

/** DBInstanceClassMemory / 9531392: the memory-derived part of RDS's max_connections formula. */
export function uncappedMaxConnections(memoryGiB: number): number {
    return Math.floor((memoryGiB * 1024 ** 3) / 9531392);
}

/** The AWS formula for RDS PostgreSQL's default max_connections, from the class's memory. */
export function defaultMaxConnections(memoryGiB: number): number {
    return Math.min(uncappedMaxConnections(memoryGiB), 5000);
}

/** True for burstable (t-family) RDS and ElastiCache classes: db.t4g.medium, cache.t4g.small. */
export const isBurstableClass = (cls: string): boolean => /^(db|cache)\.t\d/.test(cls);

/** The instance types of a group: each family at the group's size, in the order given. */
export function instanceTypesOf(group: { families: string[]; size: string }): string[] {
    return group.families.map(f => `${f}.${group.size}`);
}

/** The architecture of a group's families (validation has made them agree). */
export function architectureOf(families: string[]): Architecture {
    return INSTANCE_FAMILIES[families[0]]?.architecture ?? "x86_64";
}

/** True when a group runs on burstable (t*) families. */
export function isBurstable(families: string[]): boolean {
    return INSTANCE_FAMILIES[families[0]]?.burstable ?? false;
}
