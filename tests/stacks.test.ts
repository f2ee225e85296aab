// Both shipped stacks, planned through the real program under mocks: the properties a user of
// this program relies on, tier by tier.

import { strict as assert } from "assert";
import { instanceTypesOf, INSTANCE_FAMILIES } from "../stacks/catalog";
import { Plan, PlannedResource } from "../scripts/lib/offline";
import { readStack } from "../scripts/lib/stackFile";
import { configOf, ofType, one, planInput, planOf, STACKS } from "./support/plans";

const ASG = "aws:autoscaling/group:Group";
const LT = "aws:ec2/launchTemplate:LaunchTemplate";
const SUBNET = "aws:ec2/subnet:Subnet";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";

const subnetIds = (plan: Plan, tier: "public" | "private") =>
    ofType(plan, SUBNET).filter(s => (s.inputs.tags as Record<string, string>).Tier === tier).map(s => s.id);
const byId = (plan: Plan, id: unknown) => plan.resources.find(r => r.id === id);
const sgName = (plan: Plan, id: unknown) => byId(plan, id)?.name.replace(/^mastodon-[a-z]+-/, "");

for (const stack of STACKS) {
    describe(`stack ${stack}`, () => {
        const cfg = configOf(stack);
        let plan: Plan;
        before(async () => { plan = await planOf(stack); });

        it("plans every piece the environment needs", () => {
            for (const type of [
                "aws:ec2/vpc:Vpc", "aws:rds/instance:Instance", "aws:elasticache/replicationGroup:ReplicationGroup",
                "aws:s3/bucket:Bucket", "aws:cloudfront/distribution:Distribution", "aws:lb/loadBalancer:LoadBalancer",
                "aws:lb/listener:Listener", "aws:lb/listenerRule:ListenerRule",
            ]) assert.ok(ofType(plan, type).length > 0, `no ${type}`);
            const groups = ofType(plan, ASG).map(g => g.name).sort();
            const expected = ["web", "streaming", ...cfg.sidekiq.map(g => `sidekiq-${g.name}`)].map(n => `mastodon-${stack}-${n}`).sort();
            assert.deepEqual(groups, expected);
            for (const g of ofType(plan, ASG)) assert.ok(g.inputs.mixedInstancesPolicy, `${g.name} has no mixed-instances policy`);
        });

        it("spans the configured AZs with a public and a private subnet in each", () => {
            const subnets = ofType(plan, SUBNET);
            assert.equal(subnetIds(plan, "public").length, cfg.network.azCount);
            assert.equal(subnetIds(plan, "private").length, cfg.network.azCount);
            assert.equal(new Set(subnets.map(s => s.inputs.availabilityZone)).size, cfg.network.azCount);
            assert.ok(subnets.every(s => s.inputs.mapPublicIpOnLaunch === false));
            const nats = ofType(plan, "aws:ec2/natGateway:NatGateway").length;
            assert.equal(nats, cfg.network.natGateways === "perAz" ? cfg.network.azCount : 1);
        });

        it("puts every instance, the database and the cache in private subnets only", () => {
            const priv = subnetIds(plan, "private");
            for (const g of ofType(plan, ASG)) assert.deepEqual([...(g.inputs.vpcZoneIdentifiers as string[])].sort(), [...priv].sort(), g.name);
            assert.deepEqual(one(plan, "aws:rds/subnetGroup:SubnetGroup", `mastodon-${stack}`).inputs.subnetIds, priv);
            assert.deepEqual(one(plan, "aws:elasticache/subnetGroup:SubnetGroup", `mastodon-${stack}`).inputs.subnetIds, priv);
            assert.deepEqual([...(one(plan, "aws:lb/loadBalancer:LoadBalancer", `mastodon-${stack}`).inputs.subnets as string[])].sort(), subnetIds(plan, "public").sort());
            const privateRoutes = ofType(plan, "aws:ec2/routeTable:RouteTable").filter(t => t.name.includes("private"));
            for (const t of privateRoutes) {
                const routes = t.inputs.routes as Record<string, unknown>[];
                assert.ok(routes.every(r => r.natGatewayId && !r.gatewayId), `${t.name} must route out through NAT only`);
            }
        });

        it("runs an encrypted, private, backed-up PostgreSQL with a matching parameter group", () => {
            const db = one(plan, "aws:rds/instance:Instance", `mastodon-${stack}`).inputs;
            assert.equal(db.publiclyAccessible, false);
            assert.equal(db.storageEncrypted, true);
            assert.equal(db.deletionProtection, true);
            assert.ok((db.backupRetentionPeriod as number) >= 7);
            assert.equal(db.multiAz, cfg.database.multiAz);
            assert.equal(db.instanceClass, cfg.database.instanceClass);
            assert.equal(db.password, "[secret]");
            const params = one(plan, "aws:rds/parameterGroup:ParameterGroup", `mastodon-${stack}`).inputs;
            assert.equal(params.family, `postgres${String(db.engineVersion).split(".")[0]}`);
        });

        it("runs Redis with cluster mode off, TLS, AUTH and noeviction", () => {
            const rg = one(plan, "aws:elasticache/replicationGroup:ReplicationGroup", `mastodon-${stack}`).inputs;
            assert.equal(rg.clusterMode, "disabled");
            assert.equal(rg.transitEncryptionEnabled, true);
            assert.equal(rg.atRestEncryptionEnabled, true);
            assert.equal(rg.authToken, "[secret]");
            assert.equal(rg.numCacheClusters, 1 + cfg.cache.replicas);
            assert.equal(rg.multiAzEnabled, cfg.cache.replicas > 0);
            const params = one(plan, "aws:elasticache/parameterGroup:ParameterGroup", `mastodon-${stack}`).inputs;
            assert.deepEqual(params.parameters, [{ name: "maxmemory-policy", value: "noeviction" }]);
        });

        it("keeps media in a private bucket that only CloudFront reads, over TLS", () => {
            const block = one(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", `mastodon-${stack}`).inputs;
            for (const k of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) assert.equal(block[k], true, k);
            const policy = JSON.parse(String(one(plan, "aws:s3/bucketPolicy:BucketPolicy", `mastodon-${stack}`).inputs.policy));
            const [read, tls] = policy.Statement;
            assert.deepEqual(read.Principal, { Service: "cloudfront.amazonaws.com" });
            assert.equal(read.Action, "s3:GetObject");
            assert.equal(tls.Effect, "Deny");
            assert.equal(tls.Condition.Bool["aws:SecureTransport"], "false");
            const cdn = one(plan, "aws:cloudfront/distribution:Distribution", `mastodon-${stack}`).inputs;
            assert.equal((cdn.defaultCacheBehavior as Record<string, unknown>).viewerProtocolPolicy, "redirect-to-https");
            // SimpleCORS: the web UI fetches audio with crossOrigin set.
            assert.equal((cdn.defaultCacheBehavior as Record<string, unknown>).responseHeadersPolicyId, "60669652-455b-4ae9-85a4-c4c02393f86c");
            assert.equal(cdn.priceClass, cfg.media.priceClass);
        });

        it("routes /api/v1/streaming to streaming and the rest to web, HTTP only redirecting", () => {
            const web = one(plan, "aws:lb/targetGroup:TargetGroup", `mastodon-${stack}-web`);
            const streaming = one(plan, "aws:lb/targetGroup:TargetGroup", `mastodon-${stack}-streaming`);
            assert.equal((web.inputs.healthCheck as Record<string, unknown>).path, "/health");
            assert.equal((streaming.inputs.healthCheck as Record<string, unknown>).path, "/api/v1/streaming/health");
            const http = one(plan, "aws:lb/listener:Listener", `mastodon-${stack}-http`).inputs;
            assert.deepEqual(http.defaultActions, [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }]);
            const https = one(plan, "aws:lb/listener:Listener", `mastodon-${stack}-https`).inputs;
            assert.equal(https.protocol, "HTTPS");
            assert.deepEqual(https.defaultActions, [{ type: "forward", targetGroupArn: web.id }]);
            const rule = one(plan, "aws:lb/listenerRule:ListenerRule", `mastodon-${stack}-streaming`).inputs;
            assert.deepEqual(rule.conditions, [{ pathPattern: { values: ["/api/v1/streaming", "/api/v1/streaming/*"] } }]);
            assert.deepEqual(rule.actions, [{ type: "forward", targetGroupArn: streaming.id }]);
            assert.deepEqual(one(plan, ASG, `mastodon-${stack}-web`).inputs.targetGroupArns, [web.id]);
            assert.deepEqual(one(plan, ASG, `mastodon-${stack}-streaming`).inputs.targetGroupArns, [streaming.id]);
        });

        it("opens only the paths between tiers: internet to ALB, ALB to web and streaming, apps to the data stores", () => {
            const paths = (rules: PlannedResource[]) => rules.map(r => {
                const i = r.inputs;
                const peer = i.referencedSecurityGroupId ? sgName(plan, i.referencedSecurityGroupId) : i.cidrIpv4;
                return `${sgName(plan, i.securityGroupId)}:${i.fromPort}<-${peer}`;
            }).sort();
            assert.deepEqual(paths(ofType(plan, INGRESS)), [
                "alb:443<-0.0.0.0/0", "alb:80<-0.0.0.0/0",
                "cache:6379<-sidekiq", "cache:6379<-streaming", "cache:6379<-web",
                "database:5432<-sidekiq", "database:5432<-streaming", "database:5432<-web",
                "streaming:80<-alb", "web:80<-alb",
            ]);
            const fromAlb = ofType(plan, EGRESS).filter(r => sgName(plan, r.inputs.securityGroupId) === "alb");
            assert.deepEqual(paths(fromAlb), ["alb:80<-streaming", "alb:80<-web"]);
            for (const sg of ofType(plan, "aws:ec2/securityGroup:SecurityGroup")) assert.equal(sg.inputs.ingress, undefined, `${sg.name} has inline rules`);
        });

        it("buys each group's instances from its configured families, with its spot mix", () => {
            const groups = [{ name: "web", g: cfg.web }, { name: "streaming", g: cfg.streaming }, ...cfg.sidekiq.map(g => ({ name: `sidekiq-${g.name}`, g }))];
            for (const { name, g } of groups) {
                const asg = one(plan, ASG, `mastodon-${stack}-${name}`).inputs;
                const mip = asg.mixedInstancesPolicy as { instancesDistribution: Record<string, unknown>; launchTemplate: { overrides: { instanceType: string }[]; launchTemplateSpecification: { version: string } } };
                const types = mip.launchTemplate.overrides.map(o => o.instanceType);
                assert.deepEqual(types, instanceTypesOf(g), name);
                assert.ok(types.every(t => g.families.includes(t.split(".")[0]) && t.endsWith(`.${g.size}`)), name);
                assert.equal(new Set(types.map(t => INSTANCE_FAMILIES[t.split(".")[0]].architecture)).size, 1, `${name} mixes architectures`);
                assert.equal(mip.instancesDistribution.spotAllocationStrategy, "price-capacity-optimized");
                assert.equal(mip.instancesDistribution.onDemandBaseCapacity, g.onDemandBase);
                assert.equal(mip.instancesDistribution.onDemandPercentageAboveBaseCapacity, g.onDemandPercentAboveBase);
                // The scheduler's group must never overshoot its single instance; the rest replace spot early.
                const singleton = "queues" in g && (g.queues as string[]).includes("scheduler");
                assert.equal(asg.capacityRebalance, !singleton);
                assert.deepEqual(asg.suspendedProcesses, singleton ? ["AZRebalance"] : undefined);
                assert.equal(asg.minSize, g.min);
                assert.equal(asg.maxSize, g.max);
                assert.equal(asg.desiredCapacity, undefined, `${name} must leave desiredCapacity to the scaler`);
                // A concrete template version, never "$Latest", so a template change rolls the group.
                assert.equal(mip.launchTemplate.launchTemplateSpecification.version, "1");
                assert.equal((asg.instanceRefresh as Record<string, unknown>).strategy, "Rolling");
                assert.equal(asg.healthCheckType, name === "web" || name === "streaming" ? "ELB" : "EC2");
            }
        });

        it("launches instances with IMDSv2 required and encrypted root volumes", () => {
            for (const lt of ofType(plan, LT)) {
                assert.equal((lt.inputs.metadataOptions as Record<string, unknown>).httpTokens, "required", lt.name);
                const ebs = (lt.inputs.blockDeviceMappings as { ebs: Record<string, unknown> }[])[0].ebs;
                assert.equal(ebs.encrypted, "true", lt.name);
                assert.equal(lt.inputs.keyName, undefined, `${lt.name}: Session Manager, not SSH keys`);
            }
        });

        it("lets each instance role read only its stack's settings, and only web and sidekiq touch media", () => {
            for (const tier of ["web", "streaming", "sidekiq"]) {
                const policy = JSON.parse(String(one(plan, "aws:iam/rolePolicy:RolePolicy", `mastodon-${stack}-${tier}`).inputs.policy));
                const read = policy.Statement.find((s: { Sid: string }) => s.Sid === "ReadSettings");
                assert.ok(read.Resource.every((r: string) => r.includes(`:parameter/mastodon/${stack}`)), tier);
                const media = policy.Statement.filter((s: { Action: string | string[] }) => JSON.stringify(s.Action).includes("s3:"));
                assert.equal(media.length > 0, tier !== "streaming", tier);
            }
        });

        it("keeps generated names within AWS's limits, even for the longest stack name allowed", async () => {
            const long = await planInput({ ...readStack({ stack }), stack: "long-stack-name" });
            // Pulumi autonames append "-" and 7 random characters to the logical name.
            const limits: Record<string, number> = {
                "aws:lb/loadBalancer:LoadBalancer": 32, "aws:elasticache/replicationGroup:ReplicationGroup": 40,
                "aws:iam/role:Role": 64, "aws:iam/instanceProfile:InstanceProfile": 128, "aws:rds/proxy:Proxy": 60,
                "aws:cloudfront/originAccessControl:OriginAccessControl": 64, "aws:rds/instance:Instance": 63,
                "aws:elasticache/subnetGroup:SubnetGroup": 255, "aws:autoscaling/group:Group": 255,
            };
            for (const p of [plan, long]) {
                for (const r of p.resources.filter(x => limits[x.type])) assert.ok(r.name.length + 8 <= limits[r.type], `${r.type} ${r.name} is too long`);
                for (const tg of ofType(p, "aws:lb/targetGroup:TargetGroup")) assert.ok(String(tg.inputs.namePrefix).length <= 6, "target group prefixes are at most 6");
            }
        });

        it("protects what holds data, and the app's secrets, from deletion", () => {
            const stateful = ["aws:rds/instance:Instance", "aws:elasticache/replicationGroup:ReplicationGroup", "aws:s3/bucket:Bucket",
                "aws:cloudfront/distribution:Distribution", "random:index/randomBytes:RandomBytes", "random:index/randomPassword:RandomPassword"];
            for (const r of plan.resources.filter(x => stateful.includes(x.type))) assert.equal(r.protect, cfg.protectData, `${r.type} ${r.name}`);
            assert.ok(plan.resources.filter(x => !stateful.includes(x.type)).every(r => !r.protect), "only data is protected");
        });

        it("declares its components with mastodon:<module>:<Name> tokens and parents every AWS resource", () => {
            for (const r of plan.resources) {
                if (!r.custom) assert.match(r.type, /^mastodon:[a-z]+:[A-Z][A-Za-z]+$/);
                else assert.ok(r.parent, `${r.type} ${r.name} has no parent component`);
            }
        });
    });
}
