// AWS prices for `npm run cost`: one table per region, each row saying where its number came
// from. No AWS account or network is reachable where this was written, so every number is either
// QUOTED, exactly as a named source gives it for this region (sources below, verbatim quotes in
// docs/price-sources.md), or DERIVED from quoted numbers by a stated rule. Derived prices are
// estimates (the cost report marks them "~"); refresh them from the Price List API, e.g.
//   aws pricing get-products --region us-east-1 --service-code AmazonEC2 \
//     --filters Type=TERM_MATCH,Field=regionCode,Value=ap-northeast-1 Type=TERM_MATCH,Field=instanceType,Value=c7i.large \
//               Type=TERM_MATCH,Field=operatingSystem,Value=Linux Type=TERM_MATCH,Field=tenancy,Value=Shared \
//               Type=TERM_MATCH,Field=preInstalledSw,Value=NA Type=TERM_MATCH,Field=capacitystatus,Value=Used
// and move the row to `quoted`.

import { Architecture, INSTANCE_FAMILIES, VCPUS_PER_SIZE } from "./catalog";

/** Hours AWS bills in a month (its calculator's convention: 24 x 365 / 12). */
export const HOURS_PER_MONTH = 730;

/** Where a price came from: quoted from a source, or derived from quoted prices by a stated rule. */
export type Basis = "quoted" | "derived";

/** One price and its provenance. */
export interface Price {
    /** US dollars per unit. */
    usd: number;
    basis: Basis;
    /** A source key of the table (quoted), or the derivation in words (derived). */
    from: string;
}

/** Everything `npm run cost` prices, for one region. */
export interface PriceTable {
    region: string;
    /** The date of the newest quoted source. */
    asOf: string;
    /** One line on where the prices come from, printed with every estimate. */
    provenance: string;
    /** Source key -> what it is, where, and its date. */
    sources: Readonly<Record<string, string>>;
    /** Spot price as a fraction of on-demand: an assumption, stated with its basis. */
    spotShareOfOnDemand: Price;
    /** Hourly on-demand Linux price of an EC2 instance type. Throws for a type it cannot price. */
    ec2Hourly(instanceType: string): Price;
    /** Hourly price of an RDS PostgreSQL instance class; Multi-AZ (instance deployment) bills two instances. */
    rdsHourly(instanceClass: string, multiAz: boolean): Price;
    /** Hourly price of one ElastiCache node. */
    cacheNodeHourly(nodeType: string, engine: "valkey" | "redis"): Price;
    /** Flat rates, keyed by what they price; units in each Price's `from`. */
    rates: Readonly<Record<RateKey, Price>>;
}

export type RateKey =
    | "natGatewayHour" | "natGatewayGb" | "albHour" | "albLcuHour" | "publicIpv4Hour" | "ebsGp3GbMonth"
    | "rdsGp3GbMonthMultiAz" | "s3StandardGbMonth" | "cloudfrontGbUsEurope" | "cloudfrontGbJapan"
    | "internetEgressGb" | "kmsKeyMonth" | "secretMonth" | "alarmMonth";

/** Thrown when a resource's type or class has no price in the table: the report lists it unpriced. */
export class NoPriceError extends Error {}

// ---- ap-northeast-1 (Tokyo) ----------------------------------------------------------------

const TOKYO_SOURCES = {
    "pl-2026-09-05": "AWS Price List API values for ap-northeast-1, quoted in github.com/o-ga09/genkit-agent-cloud-cost-estimate docs/reviews/price-query-review.md and docs/adr/0018-nat-gateway-cost-model.md @73db050 (reviewed 2026-09-05/06)",
    "pl-2026-09-11": "AWS Price List Bulk API price descriptions for ap-northeast-1 (EC2 version 20260910195514, RDS 20260911124502, ElastiCache 20260911124427), quoted in a public GitHub note dated 2026-09-11 whose repository the stored copy did not name (file id 71291640744; docs/price-sources.md)",
    "karpenter-2026-01-19": "github.com/aws/karpenter-provider-aws pkg/providers/pricing/zz_generated.pricing_aws.go @031e72b: on-demand Linux prices for us-east-1, generated from the AWS pricing API 2026-01-19",
    "cloudfront-page": "aws.amazon.com/cloudfront/pricing (stored copy, undated): data transfer out, first 10 TB per month",
    "kms-page": "aws.amazon.com/kms/pricing (stored copy, undated): each KMS key costs $1/month",
    "asg-guide": "EC2 Auto Scaling user guide, 'Spot price per unit hour example' (example prices, not current): c5.2xlarge spot $0.170-0.191 against $0.34 on-demand in us-east-1",
    "c3x-page": "c3x.dev aws_cloudwatch_metric_alarm page (third party, undated): $0.10 per standard-resolution alarm-month",
} as const;

type TokyoSource = keyof typeof TOKYO_SOURCES;
const quoted = (usd: number, from: TokyoSource, what: string): Price => ({ usd, basis: "quoted", from: `${what} (${from})` });
const derived = (usd: number, from: string): Price => ({ usd, basis: "derived", from });

/** On-demand Linux price of each family's `.large` in us-east-1 (karpenter-2026-01-19). */
const US_EAST_1_LARGE: Readonly<Record<string, number>> = {
    c7i: 0.08925, c7a: 0.10264, c6i: 0.085, c6a: 0.0765, c5: 0.085, c5a: 0.077, c8g: 0.07976, c7g: 0.0725, c6g: 0.068,
    m7i: 0.1008, m7a: 0.11592, m6i: 0.096, m6a: 0.0864, m8g: 0.08976, m7g: 0.0816, m6g: 0.077,
    r7i: 0.1323, r6i: 0.126, r7g: 0.1071, r6g: 0.1008,
    t3: 0.0832, t3a: 0.0752, t4g: 0.0672,
};

/**
 * Tokyo over us-east-1 for the same instance, one ratio per architecture from the only instances
 * quoted in both regions: t3.medium $0.0544 (pl-2026-09-05) over $0.0416, and t4g.small $0.0216
 * (pl-2026-09-11) over $0.0168 (karpenter-2026-01-19). Applied to every family without a Tokyo
 * quote, so those prices are estimates.
 */
const TOKYO_OVER_US_EAST_1: Readonly<Record<Architecture, { ratio: number; from: string }>> = {
    x86_64: { ratio: 0.0544 / 0.0416, from: "t3.medium" },
    arm64: { ratio: 0.0216 / 0.0168, from: "t4g.small" },
};

/** The EC2 sizes with a quoted Tokyo price; other sizes of their families scale from them. */
const TOKYO_EC2_QUOTED: Readonly<Record<string, Price>> = {
    "t3.medium": quoted(0.0544, "pl-2026-09-05", "t3.medium"),
    "t4g.small": quoted(0.0216, "pl-2026-09-11", "t4g.small"),
};

/** How many `.large`s one size costs: vCPUs for fixed-performance families, memory for burstable ones. */
function sizeFactor(family: string, size: string): number {
    const burstable = INSTANCE_FAMILIES[family]?.burstable ?? family.startsWith("t");
    if (burstable) {
        // t3/t3a/t4g: micro 1 GiB, small 2, medium 4, large 8, xlarge 16, 2xlarge 32, and priced by it.
        const gib: Record<string, number> = { nano: 0.5, micro: 1, small: 2, medium: 4, large: 8, xlarge: 16, "2xlarge": 32 };
        if (gib[size] === undefined) throw new NoPriceError(`${family}.${size}: no such burstable size`);
        return gib[size] / 8;
    }
    if (VCPUS_PER_SIZE[size] === undefined || size === "micro" || size === "small" || size === "medium") throw new NoPriceError(`${family}.${size}: no price for that size`);
    return VCPUS_PER_SIZE[size] / 2;
}

/** Graviton families end in g (c7g, r6g, t4g); the catalog knows the rest. */
const architectureOfFamily = (family: string): Architecture => INSTANCE_FAMILIES[family]?.architecture ?? (/g$/.test(family) ? "arm64" : "x86_64");

function tokyoEc2(instanceType: string): Price {
    const [family, size] = instanceType.split(".");
    const factor = sizeFactor(family, size);
    if (TOKYO_EC2_QUOTED[instanceType]) return TOKYO_EC2_QUOTED[instanceType];
    const anchor = Object.keys(TOKYO_EC2_QUOTED).find(t => t.startsWith(`${family}.`));
    if (anchor) {
        const q = TOKYO_EC2_QUOTED[anchor];
        return derived(q.usd * (factor / sizeFactor(family, anchor.split(".")[1])), `the quoted ${anchor} $${q.usd}, scaled by size`);
    }
    const us = US_EAST_1_LARGE[family];
    if (us === undefined) throw new NoPriceError(`${instanceType}: no EC2 price for family ${family}`);
    const { ratio, from } = TOKYO_OVER_US_EAST_1[architectureOfFamily(family)];
    return derived(us * ratio * factor, `us-east-1 ${family}.large $${us} (karpenter-2026-01-19) x ${ratio.toFixed(3)} (the ${from} Tokyo/us-east-1 ratio), scaled by size`);
}

/**
 * A managed-service class priced from the service's one quoted class of the same kind, in
 * proportion to the EC2 instances underneath (an assumption: AWS prices a service's classes
 * roughly as their instances). For an r-family RDS class the Tokyo ratio cancels out: db.r7g.2xlarge
 * is the quoted db.r6g.large times EC2 r7g.2xlarge over r6g.large, both us-east-1 prices.
 */
function scaledFrom(anchor: { cls: string; usd: number; instance: string }, instance: string): Price {
    const usd = anchor.usd * (tokyoEc2(instance).usd / tokyoEc2(anchor.instance).usd);
    return derived(usd, `${anchor.cls} $${anchor.usd} (quoted) x EC2 ${instance} / ${anchor.instance}`);
}

/**
 * The RDS anchors: db.r6g.large PostgreSQL Multi-AZ $0.54 (pl-2026-09-05), whose Single-AZ price is
 * half (Multi-AZ bills primary and standby); and db.t4g.micro Single-AZ $0.025 (pl-2026-09-11), a
 * MySQL price, PostgreSQL assumed equal.
 */
const RDS_ANCHORS = {
    fixed: { cls: "db.r6g.large (Single-AZ: half of Multi-AZ $0.54)", usd: 0.27, instance: "r6g.large" },
    burstable: { cls: "db.t4g.micro (MySQL)", usd: 0.025, instance: "t4g.micro" },
};

/**
 * The ElastiCache anchor: cache.t4g.micro, Redis OSS $0.025, Valkey $0.020 (pl-2026-09-11); Valkey
 * nodes cost 20% less (the same source and AWS's ElastiCache FAQ). A burstable node is the only
 * quote, so m7g/r7g nodes scale from it too; RDS charges less over EC2 on fixed-performance
 * classes than on burstable ones, so those cache prices are likely high.
 */
const CACHE_ANCHOR = { cls: "cache.t4g.micro Redis OSS", usd: 0.025, instance: "t4g.micro" };
const VALKEY_SHARE = 0.020 / 0.025;

const TOKYO: PriceTable = {
    region: "ap-northeast-1",
    asOf: "2026-09-11",
    provenance: "quoted prices as of 2026-09-11 (CDN and KMS: undated AWS pages); derived ones (~) mostly from us-east-1 prices of 2026-01-19",
    sources: TOKYO_SOURCES,
    spotShareOfOnDemand: derived(0.5, "assumption: spot at half the on-demand price, as in the EC2 Auto Scaling guide's c5 example (asg-guide); AWS advertises up to 90% off. Change with --spot-discount"),
    ec2Hourly: tokyoEc2,
    rdsHourly(instanceClass, multiAz) {
        const m = /^db\.([a-z0-9]+)\.([a-z0-9]+)$/.exec(instanceClass);
        if (!m) throw new NoPriceError(`${instanceClass}: not an RDS instance class`);
        if (instanceClass === "db.r6g.large" && multiAz) return quoted(0.54, "pl-2026-09-05", "db.r6g.large PostgreSQL Multi-AZ");
        const single = scaledFrom(m[1].startsWith("t") ? RDS_ANCHORS.burstable : RDS_ANCHORS.fixed, `${m[1]}.${m[2]}`);
        return multiAz ? derived(single.usd * 2, `${single.from} x 2 (Multi-AZ)`) : single;
    },
    cacheNodeHourly(nodeType, engine) {
        const m = /^cache\.([a-z0-9]+)\.([a-z0-9]+)$/.exec(nodeType);
        if (!m) throw new NoPriceError(`${nodeType}: not an ElastiCache node type`);
        if (nodeType === "cache.t4g.micro") {
            return engine === "valkey" ? quoted(0.020, "pl-2026-09-11", "cache.t4g.micro Valkey") : quoted(0.025, "pl-2026-09-11", "cache.t4g.micro Redis OSS");
        }
        const redis = scaledFrom(CACHE_ANCHOR, `${m[1]}.${m[2]}`);
        return engine === "valkey" ? derived(redis.usd * VALKEY_SHARE, `${redis.from} x 0.8 (Valkey)`) : redis;
    },
    // Each quoted rate names its row in docs/price-sources.md (a test holds them together).
    rates: {
        natGatewayHour: quoted(0.062, "pl-2026-09-05", "NAT gateway hourly"),
        natGatewayGb: quoted(0.062, "pl-2026-09-05", "NAT gateway data processed"),
        albHour: quoted(0.0243, "pl-2026-09-05", "ALB hourly"),
        albLcuHour: quoted(0.008, "pl-2026-09-05", "ALB LCU-hour"),
        publicIpv4Hour: quoted(0.005, "pl-2026-09-11", "Public IPv4 address (in use)"),
        ebsGp3GbMonth: quoted(0.096, "pl-2026-09-05", "EBS gp3"),
        // Its deployment is not restated, but it is twice the Single-AZ MySQL gp3 price ($0.138,
        // pl-2026-09-11), as Multi-AZ storage is billed twice: taken as the Multi-AZ price.
        rdsGp3GbMonthMultiAz: quoted(0.276, "pl-2026-09-05", "RDS PostgreSQL gp3 storage"),
        s3StandardGbMonth: quoted(0.025, "pl-2026-09-05", "S3 Standard storage"),
        cloudfrontGbUsEurope: quoted(0.085, "cloudfront-page", "CloudFront DTO first 10 TB — US / Europe"),
        cloudfrontGbJapan: quoted(0.114, "cloudfront-page", "CloudFront DTO first 10 TB — Japan"),
        internetEgressGb: quoted(0.114, "pl-2026-09-05", "Internet egress from EC2, Tokyo"),
        kmsKeyMonth: quoted(1, "kms-page", "KMS customer-managed key"),
        secretMonth: quoted(0.4, "pl-2026-09-11", "Secrets Manager secret"),
        alarmMonth: derived(0.1, "CloudWatch standard alarm $0.10/month from a third-party page, region not stated (c3x-page)"),
    },
};

/** Price tables by region. A stack in another region gets a clear error from `npm run cost`. */
export const PRICE_TABLES: Readonly<Record<string, PriceTable>> = { [TOKYO.region]: TOKYO };
