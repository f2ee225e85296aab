// The rules every preview and deploy of this project is held to (Pulumi CrossGuard). Kept apart
// from index.ts, which starts the policy server, so the tests can run each rule directly.
// Mandatory rules stop a preview or deploy; advisory ones print a warning.

import * as aws from "@pulumi/aws";
import {
    ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType,
} from "@pulumi/policy";

/** Stacks whose name marks them production (the program's own default, stacks/schema.ts). */
export const PRODUCTION_STACK = /^prod(uction)?(-|$)/;

/** The stack a resource belongs to, from its URN: urn:pulumi:<stack>::<project>::<type>::<name>. */
export const stackOf = (urn: string): string => urn.split("::")[0].replace(/^urn:pulumi:/, "");
const isProduction = (args: { urn: string }) => PRODUCTION_STACK.test(stackOf(args.urn));

const WORLD = ["0.0.0.0/0", "::/0"];

export const resourcePolicies: ResourceValidationPolicy[] = [
    {
        name: "rds-private-encrypted",
        description: "RDS instances are never publicly reachable and are encrypted at rest.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.rds.Instance, (db, _args, report) => {
            if (db.publiclyAccessible) report("publiclyAccessible must be false: the database lives in private subnets only.");
            if (!db.storageEncrypted) report("storageEncrypted must be true.");
        }),
    },
    {
        name: "rds-backups-and-deletion-protection",
        description: "RDS keeps at least 7 days of backups, and has deletion protection in production.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.rds.Instance, (db, args, report) => {
            if ((db.backupRetentionPeriod ?? 0) < 7) report(`backupRetentionPeriod is ${db.backupRetentionPeriod ?? 0}; keep at least 7 days.`);
            if (isProduction(args) && !db.deletionProtection) report("deletionProtection must be true in production.");
        }),
    },
    {
        name: "redis-private-encrypted",
        description: "ElastiCache lives in the VPC's subnets and is encrypted at rest and in transit.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.elasticache.ReplicationGroup, (rg, _args, report) => {
            if (!rg.subnetGroupName) report("subnetGroupName must be set, so the cache sits in the private subnets.");
            if (!rg.atRestEncryptionEnabled) report("atRestEncryptionEnabled must be true.");
            if (!rg.transitEncryptionEnabled) report("transitEncryptionEnabled must be true (Mastodon connects with rediss://).");
        }),
    },
    {
        name: "s3-block-public-access",
        description: "S3 public access blocks block everything.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.s3.BucketPublicAccessBlock, (b, _args, report) => {
            for (const k of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const) {
                if (!b[k]) report(`${k} must be true.`);
            }
        }),
    },
    {
        name: "launch-template-imdsv2-encrypted-ebs",
        description: "Launch templates require IMDSv2 and encrypt every EBS volume.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.ec2.LaunchTemplate, (lt, _args, report) => {
            if (lt.metadataOptions?.httpTokens !== "required") report("metadataOptions.httpTokens must be \"required\" (IMDSv2).");
            for (const m of lt.blockDeviceMappings ?? []) {
                if (m.ebs && String(m.ebs.encrypted) !== "true") report(`the EBS volume at ${m.deviceName} must be encrypted.`);
            }
        }),
    },
    {
        name: "no-world-open-ingress",
        description: "No security group is open to the internet, except the ALB's on 80 and 443.",
        enforcementLevel: "mandatory",
        validateResource: [
            validateResourceOfType(aws.vpc.SecurityGroupIngressRule, (rule, args, report) => {
                if (!WORLD.includes(rule.cidrIpv4 ?? "") && !WORLD.includes(rule.cidrIpv6 ?? "")) return;
                const albWebPort = /-alb-in-\d+$/.test(args.name) && (rule.fromPort === 80 || rule.fromPort === 443) && rule.fromPort === rule.toPort;
                if (!albWebPort) report(`${args.name} opens port ${rule.fromPort}-${rule.toPort} to the internet; only the ALB's 80 and 443 may be.`);
            }),
            validateResourceOfType(aws.ec2.SecurityGroupRule, (rule, args, report) => {
                const world = (rule.cidrBlocks ?? []).some(c => WORLD.includes(c)) || (rule.ipv6CidrBlocks ?? []).some(c => WORLD.includes(c));
                if (rule.type === "ingress" && world) report(`${args.name} opens port ${rule.fromPort}-${rule.toPort} to the internet; only the ALB's 80 and 443 may be, as SecurityGroupIngressRule resources.`);
            }),
            validateResourceOfType(aws.ec2.SecurityGroup, (sg, args, report) => {
                for (const i of sg.ingress ?? []) {
                    if ((i.cidrBlocks ?? []).some(c => WORLD.includes(c)) || (i.ipv6CidrBlocks ?? []).some(c => WORLD.includes(c))) {
                        report(`${args.name} has an inline rule open to the internet; use SecurityGroupIngressRule resources.`);
                    }
                }
            }),
        ],
    },
    {
        name: "alb-http-redirects-only",
        description: "A plain-HTTP listener only redirects to HTTPS.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.lb.Listener, (l, _args, report) => {
            if (l.protocol !== "HTTP") return;
            const actions = l.defaultActions ?? [];
            if (actions.length === 0 || actions.some(a => a.type !== "redirect" || a.redirect?.protocol !== "HTTPS")) {
                report("an HTTP listener's only action must redirect to HTTPS.");
            }
        }),
    },
    {
        name: "asg-spans-two-subnets",
        description: "Every autoscaling group spans at least two subnets (AZs).",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.autoscaling.Group, (g, _args, report) => {
            if ((g.vpcZoneIdentifiers ?? []).length < 2) report(`spans ${(g.vpcZoneIdentifiers ?? []).length} subnet(s); use at least 2, in different AZs.`);
        }),
    },
    {
        name: "production-stateful-protected",
        description: "In production, the database, cache, media bucket and CDN are protected from deletion.",
        enforcementLevel: "mandatory",
        validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
            const stateful = ["aws:rds/instance:Instance", "aws:elasticache/replicationGroup:ReplicationGroup", "aws:s3/bucket:Bucket", "aws:cloudfront/distribution:Distribution"];
            if (!stateful.includes(args.type)) return;
            if (isProduction(args) && !args.opts.protect) report(`${args.name} holds data; set protect (mastodon:protectData) in production.`);
        },
    },
    {
        name: "production-multi-az",
        description: "Production runs a Multi-AZ database and a cache with a replica.",
        enforcementLevel: "advisory",
        validateResource: [
            validateResourceOfType(aws.rds.Instance, (db, args, report) => {
                if (isProduction(args) && !db.multiAz) report("a single-AZ database goes down with its AZ.");
            }),
            validateResourceOfType(aws.elasticache.ReplicationGroup, (rg, args, report) => {
                if (isProduction(args) && (rg.numCacheClusters ?? 1) < 2) report("a cache without a replica has no failover.");
            }),
        ],
    },
];

/** Whether a bucket policy denies every request not made over TLS. */
export function deniesPlainHttp(policy: unknown): boolean {
    const doc = typeof policy === "string" ? JSON.parse(policy) : policy;
    const statements: { Effect?: string; Condition?: { Bool?: Record<string, unknown> } }[] = doc?.Statement ?? [];
    return statements.some(s => s.Effect === "Deny" && String(s.Condition?.Bool?.["aws:SecureTransport"]) === "false");
}

export const stackPolicies: StackValidationPolicy[] = [
    {
        name: "s3-bucket-locked-down",
        description: "Every S3 bucket has a public access block and a policy that refuses plain HTTP.",
        enforcementLevel: "mandatory",
        validateStack: (args, report) => {
            for (const bucket of args.resources.filter(r => r.type === "aws:s3/bucket:Bucket")) {
                // The program creates a bucket's guards beside it, under the same component.
                const siblings = args.resources.filter(r => r.parent?.urn === bucket.parent?.urn);
                if (!siblings.some(r => r.type === "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")) report(`${bucket.name} has no public access block.`, bucket.urn);
                const policies = siblings.filter(r => r.type === "aws:s3/bucketPolicy:BucketPolicy");
                if (!policies.some(p => deniesPlainHttp(p.props.policy))) report(`${bucket.name} has no policy denying plain HTTP (aws:SecureTransport).`, bucket.urn);
            }
        },
    },
];
