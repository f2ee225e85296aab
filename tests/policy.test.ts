// The policy pack, run offline: every rule against the planned resources of both stacks (which
// must pass every one), and against a hand-made violating resource (to show it can fail).
// The rules' validate functions are called directly; index.ts would start a policy server.

import { strict as assert } from "assert";
import { PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { resourcePolicies, stackPolicies } from "../policy/policies";
import { Plan, PlannedResource } from "../scripts/lib/offline";
import { planOf, STACKS } from "./support/plans";

const NOT_APPLICABLE = new Error("not applicable");

/** What the policy engine would hand a rule for a planned resource. */
function argsOf(stack: string, r: Pick<PlannedResource, "type" | "name" | "inputs" | "protect">): ResourceValidationArgs {
    return {
        type: r.type,
        name: r.name,
        props: r.inputs,
        urn: `urn:pulumi:${stack}::mastodon::${r.type}::${r.name}`,
        opts: { protect: r.protect ?? false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
        stackTags: new Map(),
        isType: cls => (cls as unknown as { __pulumiType: string }).__pulumiType === r.type,
        asType: () => undefined,
        getConfig: <T extends object>() => ({}) as T,
        notApplicable: () => { throw NOT_APPLICABLE; },
    };
}

/** Violations of one resource rule on one resource. */
async function violations(policy: ResourceValidationPolicy, args: ResourceValidationArgs): Promise<string[]> {
    const found: string[] = [];
    const validators = [policy.validateResource ?? []].flat();
    for (const validate of validators) {
        try {
            await validate(args, message => found.push(`${policy.name}: ${args.type} ${args.name}: ${message}`));
        } catch (e) {
            if (e !== NOT_APPLICABLE) throw e;
        }
    }
    return found;
}

/** The plan as the stack rules see it: resources linked to their parents. */
function policyResources(plan: Plan): PolicyResource[] {
    const urn = (type: string, name: string) => `urn:pulumi:${plan.stack}::mastodon::${type}::${name}`;
    const byUrn = new Map<string, PolicyResource>();
    const out = plan.resources.map(r => {
        const pr = { type: r.type, name: r.name, urn: urn(r.type, r.name), props: r.inputs, opts: { protect: !!r.protect }, dependencies: [], propertyDependencies: {} } as unknown as PolicyResource;
        byUrn.set(pr.urn, pr);
        return { pr, parentUrn: r.parent && r.parentType ? urn(r.parentType, r.parent) : undefined };
    });
    for (const { pr, parentUrn } of out) (pr as { parent?: PolicyResource }).parent = parentUrn ? byUrn.get(parentUrn) : undefined;
    return out.map(o => o.pr);
}

async function stackViolations(policy: StackValidationPolicy, resources: PolicyResource[]): Promise<string[]> {
    const found: string[] = [];
    const notApplicable = (): never => { throw NOT_APPLICABLE; };
    await policy.validateStack({ resources, stackTags: new Map(), getConfig: <T extends object>() => ({}) as T, notApplicable }, (message: string) => found.push(`${policy.name}: ${message}`));
    return found;
}

for (const stack of STACKS) {
    describe(`the policy pack on ${stack}`, () => {
        let plan: Plan;
        before(async () => { plan = await planOf(stack); });

        for (const policy of resourcePolicies) {
            it(`passes ${policy.name} (${policy.enforcementLevel})`, async () => {
                const found = (await Promise.all(plan.resources.filter(r => r.custom).map(r => violations(policy, argsOf(stack, r))))).flat();
                assert.deepEqual(found, []);
            });
        }
        for (const policy of stackPolicies) {
            it(`passes ${policy.name} (${policy.enforcementLevel})`, async () => {
                assert.deepEqual(await stackViolations(policy, policyResources(plan)), []);
            });
        }
    });
}

/** [rule, stack, a resource that breaks it]. */
const VIOLATIONS: [string, string, Pick<PlannedResource, "type" | "name" | "inputs" | "protect">][] = [
    ["rds-private-encrypted", "staging", { type: "aws:rds/instance:Instance", name: "db", inputs: { publiclyAccessible: true, storageEncrypted: true, backupRetentionPeriod: 7 } }],
    ["rds-private-encrypted", "staging", { type: "aws:rds/instance:Instance", name: "db", inputs: { publiclyAccessible: false, storageEncrypted: false } }],
    ["rds-backups-and-deletion-protection", "staging", { type: "aws:rds/instance:Instance", name: "db", inputs: { backupRetentionPeriod: 1 } }],
    ["rds-backups-and-deletion-protection", "prod", { type: "aws:rds/instance:Instance", name: "db", inputs: { backupRetentionPeriod: 14, deletionProtection: false } }],
    ["redis-private-encrypted", "staging", { type: "aws:elasticache/replicationGroup:ReplicationGroup", name: "rg", inputs: { subnetGroupName: "s", atRestEncryptionEnabled: true, transitEncryptionEnabled: false } }],
    ["s3-block-public-access", "staging", { type: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", name: "pab", inputs: { blockPublicAcls: true, blockPublicPolicy: false, ignorePublicAcls: true, restrictPublicBuckets: true } }],
    ["launch-template-imdsv2-encrypted-ebs", "staging", { type: "aws:ec2/launchTemplate:LaunchTemplate", name: "lt", inputs: { metadataOptions: { httpTokens: "optional" } } }],
    ["launch-template-imdsv2-encrypted-ebs", "staging", { type: "aws:ec2/launchTemplate:LaunchTemplate", name: "lt", inputs: { metadataOptions: { httpTokens: "required" }, blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "false" } }] } }],
    ["no-world-open-ingress", "staging", { type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", name: "mastodon-staging-web-ssh", inputs: { cidrIpv4: "0.0.0.0/0", fromPort: 22, toPort: 22 } }],
    ["no-world-open-ingress", "staging", { type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", name: "mastodon-staging-database-open", inputs: { cidrIpv4: "0.0.0.0/0", fromPort: 443, toPort: 443 } }],
    ["no-world-open-ingress", "staging", { type: "aws:ec2/securityGroup:SecurityGroup", name: "sg", inputs: { ingress: [{ cidrBlocks: ["0.0.0.0/0"], fromPort: 5432, toPort: 5432, protocol: "tcp" }] } }],
    ["alb-http-redirects-only", "staging", { type: "aws:lb/listener:Listener", name: "http", inputs: { protocol: "HTTP", defaultActions: [{ type: "forward", targetGroupArn: "arn:tg" }] } }],
    ["asg-spans-two-subnets", "staging", { type: "aws:autoscaling/group:Group", name: "g", inputs: { vpcZoneIdentifiers: ["subnet-1"] } }],
    ["production-stateful-protected", "prod", { type: "aws:s3/bucket:Bucket", name: "media", inputs: {}, protect: false }],
    ["production-stateful-protected", "prod", { type: "aws:rds/instance:Instance", name: "db", inputs: {}, protect: false }],
    ["production-stateful-protected", "prod", { type: "aws:elasticache/replicationGroup:ReplicationGroup", name: "rg", inputs: {}, protect: false }],
    ["production-stateful-protected", "prod-eu", { type: "aws:cloudfront/distribution:Distribution", name: "cdn", inputs: {}, protect: false }],
    ["no-world-open-ingress", "staging", { type: "aws:ec2/securityGroupRule:SecurityGroupRule", name: "legacy", inputs: { type: "ingress", cidrBlocks: ["0.0.0.0/0"], fromPort: 22, toPort: 22, protocol: "tcp" } }],
    ["production-multi-az", "prod", { type: "aws:rds/instance:Instance", name: "db", inputs: { multiAz: false } }],
    ["production-multi-az", "prod", { type: "aws:elasticache/replicationGroup:ReplicationGroup", name: "rg", inputs: { numCacheClusters: 1 } }],
];

describe("each policy rule", () => {
    for (const policy of resourcePolicies) {
        it(`${policy.name} can fail`, async () => {
            const cases = VIOLATIONS.filter(([name]) => name === policy.name);
            assert.ok(cases.length > 0, `no violating example for ${policy.name}`);
            for (const [, stack, resource] of cases) {
                assert.ok((await violations(policy, argsOf(stack, resource))).length > 0, `${policy.name} let ${JSON.stringify(resource)} through`);
            }
        });
    }

    it("s3-bucket-locked-down can fail: a bucket without guards", async () => {
        const plan: Plan = { stack: "staging", outputs: {}, resources: [{ type: "aws:s3/bucket:Bucket", name: "loose", id: "loose", custom: true, inputs: {} }] };
        const found = await stackViolations(stackPolicies[0], policyResources(plan));
        assert.deepEqual(found.map(f => /has no (public access block|policy)/.exec(f)?.[1]), ["public access block", "policy"]);
    });

    it("lets only the Multi-AZ rule be advisory; everything about data and exposure stops a deploy", () => {
        const advisory = [...resourcePolicies, ...stackPolicies].filter(p => p.enforcementLevel !== "mandatory").map(p => p.name);
        assert.deepEqual(advisory, ["production-multi-az"]);
    });

    it("holds staging to no production-only rule", async () => {
        const unprotected = { type: "aws:rds/instance:Instance", name: "db", inputs: { backupRetentionPeriod: 7, storageEncrypted: true, multiAz: false }, protect: false };
        for (const policy of resourcePolicies) assert.deepEqual(await violations(policy, argsOf("staging", unprotected)), [], policy.name);
    });
});
