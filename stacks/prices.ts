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

import { INSTANCE_FAMILIES, VCPUS_PER_SIZE } from "./catalog";

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
 * Tokyo over us-east-1 for the same instance: t3.medium, $0.0544 (pl-2026-09-05) over $0.0416
 * (karpenter-2026-01-19). The only family with both quoted; applied to every family without a
 * Tokyo quote, so those prices are estimates.
 */
const TOKYO_OVER_US_EAST_1 = 0.0544 / 0.0416;

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

function tokyoEc2(instanceType: string): Price {
    const [family, size] = instanceType.split(".");
    const factor = sizeFactor(family, size);
    if (TOKYO_EC2_QUOTED[instanceType]) return TOKYO_EC2_QUOTED[instanceType];
    const anchor = Object.keys(TOKYO_EC2_QUOTED).find(t => t.startsWith(`${family}.`));
    if (anchor) {
        const q = TOKYO_EC2_QUOTED[anchor];
        return derived(q.usd * (factor / sizeFactor(family, anchor.split(".")[1])), `${anchor} $${q.usd} (quoted) scaled by size`);
    }
    const us = US_EAST_1_LARGE[family];
    if (us === undefined) throw new NoPriceError(`${instanceType}: no EC2 price for family ${family}`);
    return derived(us * TOKYO_OVER_US_EAST_1 * factor, `us-east-1 ${family}.large $${us} (karpenter-2026-01-19) x ${TOKYO_OVER_US_EAST_1.toFixed(3)} (the t3.medium Tokyo/us-east-1 ratio), scaled by size`);
}

/**
 * RDS over EC2 for the same instance in Tokyo, from the two quoted RDS anchors: db.r6g.large
 * PostgreSQL Multi-AZ $0.54 (pl-2026-09-05; Single-AZ is half: Multi-AZ bills primary and standby),
 * and db.t4g.micro Single-AZ $0.025 (pl-2026-09-11, MySQL; PostgreSQL assumed equal).
 */
const RDS_OVER_EC2 = {
    fixed: 0.54 / 2 / tokyoEc2("r6g.large").usd,
    burstable: 0.025 / tokyoEc2("t4g.micro").usd,
};

/**
 * ElastiCache over EC2 for the same instance in Tokyo, from the one quoted node price:
 * cache.t4g.micro Redis OSS $0.025, Valkey $0.020 (pl-2026-09-11). Valkey node prices are 20% below
 * Redis OSS (the same source, and AWS's ElastiCache FAQ). Measured on a burstable node and
 * applied to m7g/r7g too (no quote for those), it likely overstates them, as RDS's own markup
 * is lower on fixed-performance classes than on burstable ones.
 */
const CACHE_OVER_EC2 = 0.025 / tokyoEc2("t4g.micro").usd;
const VALKEY_SHARE = 0.020 / 0.025;

const TOKYO: PriceTable = {
    region: "ap-northeast-1",
    asOf: "2026-09-11",
    provenance: "quoted prices as of 2026-09-11; derived ones (~) mostly from us-east-1 prices of 2026-01-19",
    sources: TOKYO_SOURCES,
    spotShareOfOnDemand: derived(0.5, "assumption: spot at half the on-demand price, as in the EC2 Auto Scaling guide's c5 example (asg-guide); AWS advertises up to 90% off. Change with --spot-discount"),
    ec2Hourly: tokyoEc2,
    rdsHourly(instanceClass, multiAz) {
        const m = /^db\.([a-z0-9]+)\.([a-z0-9]+)$/.exec(instanceClass);
        if (!m) throw new NoPriceError(`${instanceClass}: not an RDS instance class`);
        const [, family, size] = m;
        const deployments = multiAz ? 2 : 1;
        if (instanceClass === "db.r6g.large") {
            return multiAz ? quoted(0.54, "pl-2026-09-05", "db.r6g.large PostgreSQL Multi-AZ") : derived(0.27, "half the quoted db.r6g.large PostgreSQL Multi-AZ $0.54 (pl-2026-09-05)");
        }
        if (instanceClass === "db.t4g.micro") return derived(0.025 * deployments, `db.t4g.micro Single-AZ $0.025 (pl-2026-09-11, a MySQL price; PostgreSQL assumed equal)${multiAz ? " x 2 (Multi-AZ)" : ""}`);
        const ec2 = tokyoEc2(`${family}.${size}`);
        const markup = family.startsWith("t") ? RDS_OVER_EC2.burstable : RDS_OVER_EC2.fixed;
        return derived(ec2.usd * markup * deployments,
            `EC2 ${family}.${size} in Tokyo x ${markup.toFixed(2)} (RDS over EC2 on ${family.startsWith("t") ? "db.t4g.micro" : "db.r6g.large"})${multiAz ? " x 2 (Multi-AZ)" : ""}`);
    },
    cacheNodeHourly(nodeType, engine) {
        const m = /^cache\.([a-z0-9]+)\.([a-z0-9]+)$/.exec(nodeType);
        if (!m) throw new NoPriceError(`${nodeType}: not an ElastiCache node type`);
        const share = engine === "valkey" ? VALKEY_SHARE : 1;
        if (nodeType === "cache.t4g.micro") return quoted(0.025 * share, "pl-2026-09-11", `cache.t4g.micro ${engine === "valkey" ? "Valkey $0.020" : "Redis OSS $0.025"}`);
        const ec2 = tokyoEc2(`${m[1]}.${m[2]}`);
        return derived(ec2.usd * CACHE_OVER_EC2 * share,
            `EC2 ${m[1]}.${m[2]} in Tokyo x ${CACHE_OVER_EC2.toFixed(2)} (ElastiCache over EC2 on the quoted cache.t4g.micro)${engine === "valkey" ? " x 0.8 (Valkey)" : ""}`);
    },
    rates: {
        natGatewayHour: quoted(0.062, "pl-2026-09-05", "NAT gateway, per hour"),
        natGatewayGb: quoted(0.062, "pl-2026-09-05", "NAT gateway, per GB processed"),
        albHour: quoted(0.0243, "pl-2026-09-05", "Application Load Balancer, per hour"),
        albLcuHour: quoted(0.008, "pl-2026-09-05", "Application Load Balancer, per LCU-hour"),
        publicIpv4Hour: quoted(0.005, "pl-2026-09-11", "in-use public IPv4 address, per hour"),
        ebsGp3GbMonth: quoted(0.096, "pl-2026-09-05", "EBS gp3, per GB-month"),
        // The PostgreSQL gp3 row; its deployment is not restated, but it is twice the Single-AZ
        // MySQL gp3 price ($0.138, pl-2026-09-11), as Multi-AZ storage is billed twice.
        rdsGp3GbMonthMultiAz: quoted(0.276, "pl-2026-09-05", "RDS PostgreSQL gp3 storage (Multi-AZ), per GB-month"),
        s3StandardGbMonth: quoted(0.025, "pl-2026-09-05", "S3 Standard, first 50 TB, per GB-month"),
        cloudfrontGbUsEurope: quoted(0.085, "cloudfront-page", "CloudFront to viewers via US/Europe edges, first 10 TB, per GB"),
        cloudfrontGbJapan: quoted(0.114, "cloudfront-page", "CloudFront to viewers via Japan edges, first 10 TB, per GB"),
        internetEgressGb: quoted(0.114, "pl-2026-09-05", "data transfer out to the internet from Tokyo, first tier, per GB"),
        kmsKeyMonth: quoted(1, "kms-page", "KMS key, per month"),
        secretMonth: quoted(0.4, "pl-2026-09-11", "Secrets Manager secret, per month"),
        alarmMonth: quoted(0.1, "c3x-page", "CloudWatch standard alarm, per month (third-party page)"),
    },
};

/** Price tables by region. A stack in another region gets a clear error from `npm run cost`. */
export const PRICE_TABLES: Readonly<Record<string, PriceTable>> = { [TOKYO.region]: TOKYO };
