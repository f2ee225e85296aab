// The monthly cost of a planned stack: every priced resource of the offline plan, at the
// autoscaling groups' min and max, with spot and on-demand split as each group's mixed-instances
// policy buys them. Pure: a plan, the stack's usage assumptions and a price table in, lines out.

import { HOURS_PER_MONTH, NoPriceError, Price, PriceTable } from "../../stacks/prices";
import { UsageConfig } from "../../stacks/schema";
import { Plan, PlannedResource } from "./offline";

/** One line of the estimate, in US dollars a month. */
export interface CostLine {
    /** What it is: a role ("web", "sidekiq-push") or a service ("database", "NAT gateways"). */
    item: string;
    /** How it was counted, e.g. "2 on-demand + 2 spot c7i.2xlarge, 4 x 30 GB gp3". */
    detailMin: string;
    detailMax: string;
    /** At every group's min size, and at max size (equal for everything but instances). */
    min: number;
    max: number;
    /** The same capacity bought all on-demand. */
    onDemandMin: number;
    onDemandMax: number;
    /** True when any price behind the line is derived rather than quoted. */
    derived: boolean;
    /** Where each price behind the line came from (stacks/prices.ts). */
    prices: string[];
}

export interface CostReport {
    stack: string;
    region: string;
    lines: CostLine[];
    total: { min: number; max: number; onDemandMin: number; onDemandMax: number };
    /** Resources that bill but have no price here: type -> why. They are not in the total. */
    unpriced: { type: string; count: number; why: string }[];
    /** Spot price as a share of on-demand used for the estimate. */
    spotShare: number;
}

/** Types with no charge of their own (priced through another line, or free). */
const NO_CHARGE = new Set([
    "aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/routeTable:RouteTable", "aws:ec2/routeTableAssociation:RouteTableAssociation",
    "aws:ec2/internetGateway:InternetGateway", "aws:ec2/securityGroup:SecurityGroup", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:iam/instanceProfile:InstanceProfile", "aws:ec2/launchTemplate:LaunchTemplate",
    "aws:autoscaling/lifecycleHook:LifecycleHook", "aws:autoscaling/policy:Policy", "aws:lb/targetGroup:TargetGroup", "aws:lb/listener:Listener",
    "aws:lb/listenerRule:ListenerRule", "aws:acm/certificate:Certificate", "aws:acm/certificateValidation:CertificateValidation",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "aws:s3/bucketPolicy:BucketPolicy",
    "aws:cloudfront/originAccessControl:OriginAccessControl", "aws:rds/parameterGroup:ParameterGroup", "aws:rds/subnetGroup:SubnetGroup",
    "aws:elasticache/parameterGroup:ParameterGroup", "aws:elasticache/subnetGroup:SubnetGroup",
    "random:index/randomBytes:RandomBytes", "random:index/randomPassword:RandomPassword",
    "aws:secretsmanager/secretVersion:SecretVersion", "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup", "aws:rds/proxyTarget:ProxyTarget",
    // Priced by the lines that use them: instances (groups), IPv4 (EIPs), storage (bucket).
    "aws:autoscaling/group:Group", "aws:ec2/eip:Eip", "aws:s3/bucket:Bucket",
    // Standard-tier parameters cost nothing.
    "aws:ssm/parameter:Parameter",
]);

/** Types that bill but are not estimated, and why; any other unhandled type is listed as unpriced too. */
const NOT_PRICED: Record<string, string> = {
    "aws:cloudwatch/logGroup:LogGroup": "billed per GB ingested and stored",
    "aws:sns/topic:Topic": "billed per notification",
    "aws:route53/record:Record": "billed per DNS query",
    "aws:rds/proxy:Proxy": "billed per vCPU of the database behind it; no sourced price",
};

/**
 * Charges that come with resources the estimate does price, but depend on use it cannot see.
 * Printed under every estimate, so no one mistakes the total for the bill.
 */
export const NOT_ESTIMATED = [
    "traffic between availability zones (Multi-AZ replication, cross-AZ app traffic)",
    "RDS backup storage beyond the free allowance, ElastiCache snapshots",
    "CloudWatch Logs ingestion (node logs, RDS log exports) and the alarms target tracking creates",
    "EC2 detailed monitoring metrics, CloudFront and S3 request charges, KMS requests and key rotation",
    "any Savings Plan or reserved capacity discount",
];

const monthly = (p: Price, units = 1) => p.usd * units * HOURS_PER_MONTH;
const money = (n: number) => Math.round(n * 100) / 100;

/**
 * How many of `count` instances a mixed-instances policy buys on-demand: the base, then the
 * percentage of the rest, rounded up (AWS does not document its rounding; up errs toward cost).
 */
export function onDemandCount(count: number, base: number, percentAboveBase: number): number {
    return Math.min(count, base) + Math.ceil((Math.max(0, count - base) * percentAboveBase) / 100);
}

interface Ctx { plan: Plan; usage: UsageConfig; table: PriceTable; spotShare: number; unpriced: Map<string, { count: number; why: string }> }

function groupLine(ctx: Ctx, asg: PlannedResource, prefix: string): CostLine {
    const inputs = asg.inputs as any;
    const policy = inputs.mixedInstancesPolicy;
    if (!policy) throw new NoPriceError("an autoscaling group without a mixed-instances policy");
    const dist = policy.instancesDistribution ?? {};
    const types: string[] = policy.launchTemplate.overrides.map((o: { instanceType: string }) => o.instanceType);
    const ltId = policy.launchTemplate.launchTemplateSpecification.launchTemplateId;
    const lt = ctx.plan.resources.find(r => r.type === "aws:ec2/launchTemplate:LaunchTemplate" && r.id === ltId);
    const volumes: { ebs?: { volumeSize?: number; volumeType?: string } }[] = (lt?.inputs as any)?.blockDeviceMappings ?? [];
    if (volumes.some(v => v.ebs && v.ebs.volumeType !== "gp3")) throw new NoPriceError("a root volume that is not gp3");
    const rootGb = volumes.reduce((sum, v) => sum + Number(v.ebs?.volumeSize ?? 0), 0);
    // On-demand goes to the first type (the "prioritized" strategy). Spot is priced as that type
    // too, at the spot share: price-capacity-optimized may land on cheaper types, which is upside
    // the estimate leaves out, so "all on-demand" differs from it by the spot discount alone.
    const first = ctx.table.ec2Hourly(types[0]);
    const ebs = ctx.table.rates.ebsGp3GbMonth;
    const at = (n: number) => {
        const od = onDemandCount(n, dist.onDemandBaseCapacity ?? 0, dist.onDemandPercentageAboveBaseCapacity ?? 100);
        const disks = n * rootGb * ebs.usd;
        return {
            spot: n - od,
            cost: (od + (n - od) * ctx.spotShare) * first.usd * HOURS_PER_MONTH + disks,
            onDemand: n * first.usd * HOURS_PER_MONTH + disks,
            detail: `${od} on-demand + ${n - od} spot ${types.join("|")}${rootGb ? `, ${n} x ${rootGb} GB gp3` : ""}`,
        };
    };
    const lo = at(inputs.minSize), hi = at(inputs.maxSize);
    const spot = hi.spot > 0 ? [`spot at ${Math.round(ctx.spotShare * 100)}% of on-demand: ${ctx.table.spotShareOfOnDemand.from}`] : [];
    return {
        item: asg.name.startsWith(prefix) ? asg.name.slice(prefix.length) : asg.name,
        detailMin: lo.detail, detailMax: hi.detail,
        min: lo.cost, max: hi.cost, onDemandMin: lo.onDemand, onDemandMax: hi.onDemand,
        // Spot prices move by the hour: any spot in the group makes its line an estimate.
        derived: first.basis === "derived" || hi.spot > 0,
        prices: [`${types[0]}: ${first.from}`, ...spot, `gp3: ${ebs.from}`],
    };
}

/** A line whose cost does not depend on group sizes. */
function fixed(item: string, detail: string, cost: number, prices: Price[]): CostLine {
    return {
        item, detailMin: detail, detailMax: detail, min: cost, max: cost, onDemandMin: cost, onDemandMax: cost,
        derived: prices.some(p => p.basis === "derived"), prices: prices.map(p => p.from),
    };
}

const ofType = (plan: Plan, type: string) => plan.resources.filter(r => r.type === type);

/** Prices one planned stack. `spotShare` overrides the table's spot assumption (0.5 = half of on-demand). */
export function estimateCost(plan: Plan, usage: UsageConfig, table: PriceTable, spotShare = table.spotShareOfOnDemand.usd): CostReport {
    const ctx: Ctx = { plan, usage, table, spotShare, unpriced: new Map() };
    const r = table.rates;
    const lines: CostLine[] = [];
    const attempt = (type: string, count: number, make: () => CostLine) => {
        try {
            lines.push(make());
        } catch (e) {
            if (!(e instanceof NoPriceError)) throw e;
            const seen = ctx.unpriced.get(type);
            ctx.unpriced.set(type, { count: (seen?.count ?? 0) + count, why: e.message });
        }
    };
    const prefix = `mastodon-${plan.stack}-`;

    for (const asg of ofType(plan, "aws:autoscaling/group:Group")) attempt(asg.type, 1, () => groupLine(ctx, asg, prefix));

    for (const db of ofType(plan, "aws:rds/instance:Instance")) {
        attempt(db.type, 1, () => {
            const i = db.inputs as any;
            const instance = table.rdsHourly(i.instanceClass, Boolean(i.multiAz));
            // Multi-AZ storage is billed twice: the quoted rate is the Multi-AZ one.
            const gb: Price = i.multiAz ? r.rdsGp3GbMonthMultiAz : { usd: r.rdsGp3GbMonthMultiAz.usd / 2, basis: "derived", from: `half of ${r.rdsGp3GbMonthMultiAz.from}` };
            const storage = Number(i.allocatedStorage) * gb.usd;
            return fixed("database", `${i.instanceClass}${i.multiAz ? " Multi-AZ" : ""}, ${i.allocatedStorage} GB gp3${i.multiAz ? " x 2" : ""}`, monthly(instance) + storage, [instance, gb]);
        });
    }
    for (const rg of ofType(plan, "aws:elasticache/replicationGroup:ReplicationGroup")) {
        attempt(rg.type, 1, () => {
            const i = rg.inputs as any;
            const node = table.cacheNodeHourly(i.nodeType, i.engine === "redis" ? "redis" : "valkey");
            const nodes = Number(i.numCacheClusters ?? 1);
            return fixed("cache", `${nodes} x ${i.nodeType} (${i.engine})`, monthly(node, nodes), [node]);
        });
    }
    const nats = ofType(plan, "aws:ec2/natGateway:NatGateway").length;
    if (nats) lines.push(fixed("NAT gateways", `${nats} x ${HOURS_PER_MONTH} h + ${usage.natGb} GB processed`, monthly(r.natGatewayHour, nats) + usage.natGb * r.natGatewayGb.usd, [r.natGatewayHour, r.natGatewayGb]));

    const albs = ofType(plan, "aws:lb/loadBalancer:LoadBalancer");
    if (albs.length) lines.push(fixed("load balancer", `${albs.length} ALB x ${HOURS_PER_MONTH} h + ${usage.albLcus} LCU average`, monthly(r.albHour, albs.length) + monthly(r.albLcuHour, usage.albLcus * albs.length), [r.albHour, r.albLcuHour]));

    // Data leaving for the internet (deliveries through NAT, responses through the ALB); in is free.
    // A plan with neither has no path out, so nothing to bill.
    if (usage.internetEgressGb && (nats || albs.length)) {
        lines.push(fixed("internet egress", `${usage.internetEgressGb} GB out (first-tier rate)`, usage.internetEgressGb * r.internetEgressGb.usd, [r.internetEgressGb]));
    }

    // In-use public IPv4: each NAT gateway's Elastic IP, and one per ALB subnet (an ALB node per AZ).
    const ips = ofType(plan, "aws:ec2/eip:Eip").length + albs.reduce((n, a) => n + ((a.inputs as any).subnets?.length ?? 0), 0);
    if (ips) lines.push(fixed("public IPv4", `${ips} addresses (NAT EIPs, ALB nodes)`, monthly(r.publicIpv4Hour, ips), [r.publicIpv4Hour]));

    for (const cdn of ofType(plan, "aws:cloudfront/distribution:Distribution")) {
        // Viewers in Japan (Pawoo's): PriceClass_100 serves them from US/Europe edges, cheaper but
        // farther away, which the line says so a switch to it does not read as a free saving.
        const priceClass = (cdn.inputs as any).priceClass;
        const rate = priceClass === "PriceClass_100" ? r.cloudfrontGbUsEurope : r.cloudfrontGbJapan;
        const where = priceClass === "PriceClass_100" ? "served from US/Europe edges" : "Japan edges";
        lines.push(fixed("CDN", `${usage.cdnEgressGb} GB out (${priceClass}: ${where}; first-10-TB rate)`, usage.cdnEgressGb * rate.usd, [rate]));
    }
    if (ofType(plan, "aws:s3/bucket:Bucket").length) lines.push(fixed("media storage", `${usage.mediaStoredGb} GB S3 Standard`, usage.mediaStoredGb * r.s3StandardGbMonth.usd, [r.s3StandardGbMonth]));

    const keys = ofType(plan, "aws:kms/key:Key").length;
    const alarms = ofType(plan, "aws:cloudwatch/metricAlarm:MetricAlarm").length;
    const secrets = ofType(plan, "aws:secretsmanager/secret:Secret").length;
    if (keys || alarms || secrets) {
        lines.push(fixed("keys, secrets, alarms", `${keys} KMS key${keys === 1 ? "" : "s"}, ${secrets} secret${secrets === 1 ? "" : "s"}, ${alarms} alarms`,
            keys * r.kmsKeyMonth.usd + secrets * r.secretMonth.usd + alarms * r.alarmMonth.usd, [r.kmsKeyMonth, ...(secrets ? [r.secretMonth] : []), r.alarmMonth]));
    }

    // The types the lines above price; a new line must add its type here, or it is listed unpriced too.
    const handled = new Set([...NO_CHARGE, "aws:rds/instance:Instance", "aws:elasticache/replicationGroup:ReplicationGroup", "aws:ec2/natGateway:NatGateway",
        "aws:lb/loadBalancer:LoadBalancer", "aws:cloudfront/distribution:Distribution", "aws:kms/key:Key", "aws:cloudwatch/metricAlarm:MetricAlarm",
        "aws:secretsmanager/secret:Secret"]);
    for (const res of plan.resources) {
        if (!res.custom || handled.has(res.type)) continue;
        if (res.type === "aws:ec2/vpcEndpoint:VpcEndpoint" && (res.inputs as any).vpcEndpointType === "Gateway") continue;
        const seen = ctx.unpriced.get(res.type);
        ctx.unpriced.set(res.type, { count: (seen?.count ?? 0) + 1, why: NOT_PRICED[res.type] ?? "no price in the table" });
    }

    const rounded = lines.map(l => ({ ...l, min: money(l.min), max: money(l.max), onDemandMin: money(l.onDemandMin), onDemandMax: money(l.onDemandMax) }));
    const sum = (k: "min" | "max" | "onDemandMin" | "onDemandMax") => money(rounded.reduce((s, l) => s + l[k], 0));
    return {
        stack: plan.stack,
        region: table.region,
        lines: rounded,
        total: { min: sum("min"), max: sum("max"), onDemandMin: sum("onDemandMin"), onDemandMax: sum("onDemandMax") },
        unpriced: [...ctx.unpriced].map(([type, v]) => ({ type, ...v })),
        spotShare,
    };
}
