// The security groups between tiers, one rule per resource so every allowed path is visible
// in the plan: the internet reaches only the ALB; the ALB reaches only web and streaming;
// only app instances reach PostgreSQL and Redis.

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface SecurityGroupsArgs {
    /** The VPC the groups belong to. */
    vpcId: pulumi.Input<string>;
    /** SMTP port the app sends mail to (egress is opened for it). */
    smtpPort: number;
    /** RDS Proxy sits in front of the database: apps reach it too. Default false. */
    dbProxy?: boolean;
}

/** The other side of a rule: an address range or another group. */
type Peer = { cidrIpv4: string } | { referencedSecurityGroupId: pulumi.Input<string> };

/** Port nginx listens on, on web and streaming nodes; the ALB's targets. */
export const NODE_HTTP_PORT = 80;

export class SecurityGroups extends pulumi.ComponentResource {
    readonly alb: aws.ec2.SecurityGroup;
    readonly web: aws.ec2.SecurityGroup;
    readonly streaming: aws.ec2.SecurityGroup;
    readonly sidekiq: aws.ec2.SecurityGroup;
    readonly database: aws.ec2.SecurityGroup;
    readonly cache: aws.ec2.SecurityGroup;
    /** The RDS Proxy's group, when there is one. */
    readonly dbProxy?: aws.ec2.SecurityGroup;

    constructor(name: string, args: SecurityGroupsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mastodon:network:SecurityGroups", name, {}, opts);
        const p = { parent: this };
        // Rules live in their own resources below; an empty inline list would fight them.
        const group = (role: string, description: string) =>
            new aws.ec2.SecurityGroup(`${name}-${role}`, { vpcId: args.vpcId, description, tags: { Name: `${name}-${role}` } }, p);
        const ingress = (rule: string, sg: aws.ec2.SecurityGroup, port: number, from: Peer, description: string) =>
            new aws.vpc.SecurityGroupIngressRule(`${name}-${rule}`, { securityGroupId: sg.id, ipProtocol: "tcp", fromPort: port, toPort: port, description, ...from }, p);
        const egress = (rule: string, sg: aws.ec2.SecurityGroup, port: number, to: Peer, description: string) =>
            new aws.vpc.SecurityGroupEgressRule(`${name}-${rule}`, { securityGroupId: sg.id, ipProtocol: "tcp", fromPort: port, toPort: port, description, ...to }, p);

        this.alb = group("alb", "Mastodon ALB: HTTP(S) from the internet");
        this.web = group("web", "Mastodon web nodes: nginx + puma");
        this.streaming = group("streaming", "Mastodon streaming nodes: nginx + node");
        this.sidekiq = group("sidekiq", "Mastodon Sidekiq nodes: no inbound");
        this.database = group("database", "Mastodon PostgreSQL: app nodes only");
        this.cache = group("cache", "Mastodon Redis: app nodes only");

        // 80 only redirects to HTTPS (see LoadBalancer).
        for (const port of [80, 443]) ingress(`alb-in-${port}`, this.alb, port, { cidrIpv4: "0.0.0.0/0" }, `HTTP${port === 443 ? "S" : ""} from anywhere`);
        for (const [role, sg] of [["web", this.web], ["streaming", this.streaming]] as const) {
            egress(`alb-to-${role}`, this.alb, NODE_HTTP_PORT, { referencedSecurityGroupId: sg.id }, `ALB to ${role} nginx`);
            ingress(`${role}-from-alb`, sg, NODE_HTTP_PORT, { referencedSecurityGroupId: this.alb.id }, "From the ALB only");
        }

        const proxy = args.dbProxy ? group("db-proxy", "Mastodon RDS Proxy: app nodes in, PostgreSQL out") : undefined;
        this.dbProxy = proxy;
        if (proxy) {
            ingress("database-from-db-proxy", this.database, 5432, { referencedSecurityGroupId: proxy.id }, "PostgreSQL from RDS Proxy");
            egress("db-proxy-to-database", proxy, 5432, { referencedSecurityGroupId: this.database.id }, "PostgreSQL");
        }

        const apps = [["web", this.web], ["streaming", this.streaming], ["sidekiq", this.sidekiq]] as const;
        for (const [role, sg] of apps) {
            // Direct paths stay even behind a proxy: migrations bypass it, and while a pooler is
            // switched on, instances not yet replaced still connect directly.
            ingress(`database-from-${role}`, this.database, 5432, { referencedSecurityGroupId: sg.id }, `PostgreSQL from ${role}`);
            egress(`${role}-to-database`, sg, 5432, { referencedSecurityGroupId: this.database.id }, "PostgreSQL");
            if (proxy) {
                ingress(`db-proxy-from-${role}`, proxy, 5432, { referencedSecurityGroupId: sg.id }, `PostgreSQL from ${role}`);
                egress(`${role}-to-db-proxy`, sg, 5432, { referencedSecurityGroupId: proxy.id }, "PostgreSQL via RDS Proxy");
            }
            ingress(`cache-from-${role}`, this.cache, 6379, { referencedSecurityGroupId: sg.id }, `Redis from ${role}`);
            egress(`${role}-to-cache`, sg, 6379, { referencedSecurityGroupId: this.cache.id }, "Redis");
            // Federation, S3, SSM and package mirrors are HTTPS (some remote servers still serve HTTP);
            // DNS, NTP and instance metadata use link-local endpoints that security groups do not filter.
            egress(`${role}-to-https`, sg, 443, { cidrIpv4: "0.0.0.0/0" }, "HTTPS: federation, AWS APIs");
            egress(`${role}-to-http`, sg, 80, { cidrIpv4: "0.0.0.0/0" }, "HTTP: federation with plain-HTTP peers, mirrors");
        }
        if (args.smtpPort !== 443 && args.smtpPort !== 80) { // those are open already; a duplicate rule is an AWS error
            egress("sidekiq-to-smtp", this.sidekiq, args.smtpPort, { cidrIpv4: "0.0.0.0/0" }, "SMTP: mailers queue");
            egress("web-to-smtp", this.web, args.smtpPort, { cidrIpv4: "0.0.0.0/0" }, "SMTP: test mail from the admin UI");
        }

        this.registerOutputs({});
    }
}
