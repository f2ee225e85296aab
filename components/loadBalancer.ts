// The front door: an ALB in the public subnets with a DNS-validated certificate, HTTP that
// only redirects to HTTPS, `/api/v1/streaming` to the streaming group and the rest to web.

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { NODE_HTTP_PORT } from "./securityGroups";
import { ALB_IDLE_TIMEOUT_SECONDS } from "./userdata/layout";

export interface LoadBalancerArgs {
    /** The VPC of the target groups. */
    vpcId: pulumi.Input<string>;
    /** Public subnets, one per AZ. */
    subnetIds: pulumi.Input<string>[];
    /** The ALB's security group. */
    securityGroupId: pulumi.Input<string>;
    /** The instance's domain (LOCAL_DOMAIN); the certificate and the alias record are for it. */
    domain: string;
    /** Route53 public hosted zone holding the domain. */
    dnsZone: string;
}

/** Health paths Mastodon answers without touching the database. */
export const WEB_HEALTH_PATH = "/health";
export const STREAMING_HEALTH_PATH = "/api/v1/streaming/health";
/** What the listener sends to the streaming group. */
export const STREAMING_PATHS = ["/api/v1/streaming", "/api/v1/streaming/*"];

export class LoadBalancer extends pulumi.ComponentResource {
    readonly dnsName: pulumi.Output<string>;
    readonly arnSuffix: pulumi.Output<string>;
    readonly webTargetGroup: aws.lb.TargetGroup;
    readonly streamingTargetGroup: aws.lb.TargetGroup;

    constructor(name: string, args: LoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mastodon:loadbalancer:LoadBalancer", name, {}, opts);
        const p = { parent: this };
        const zone = aws.route53.getZoneOutput({ name: args.dnsZone, privateZone: false }, p);

        const cert = new aws.acm.Certificate(name, { domainName: args.domain, validationMethod: "DNS" }, p);
        const validationRecord = new aws.route53.Record(`${name}-cert-validation`, {
            zoneId: zone.zoneId,
            name: cert.domainValidationOptions[0].resourceRecordName,
            type: cert.domainValidationOptions[0].resourceRecordType,
            records: [cert.domainValidationOptions[0].resourceRecordValue],
            ttl: 300,
            allowOverwrite: true,
        }, p);
        const validated = new aws.acm.CertificateValidation(name, {
            certificateArn: cert.arn,
            validationRecordFqdns: [validationRecord.fqdn],
        }, p);

        const alb = new aws.lb.LoadBalancer(name, {
            loadBalancerType: "application",
            internal: false,
            subnets: args.subnetIds,
            securityGroups: [args.securityGroupId],
            ipAddressType: "ipv4", // the VPC is IPv4-only; dualstack needs IPv6 subnets
            // Streaming pings every 30 s, so WebSockets outlive this; nginx's keep-alive outlasts it.
            idleTimeout: ALB_IDLE_TIMEOUT_SECONDS,
            dropInvalidHeaderFields: true,
            tags: { Name: name },
        }, p);

        // AWS caps target group names at 32 characters; a short prefix plus AWS's suffix always fits.
        const targetGroup = (role: string, prefix: string, healthPath: string, deregistrationDelay: number) =>
            new aws.lb.TargetGroup(`${name}-${role}`, {
                namePrefix: prefix,
                vpcId: args.vpcId,
                port: NODE_HTTP_PORT,
                protocol: "HTTP",
                targetType: "instance",
                deregistrationDelay,
                healthCheck: { path: healthPath, matcher: "200", interval: 15, healthyThreshold: 2, unhealthyThreshold: 3, timeout: 5 },
                tags: { Name: `${name}-${role}` },
            }, p);
        this.webTargetGroup = targetGroup("web", "web-", WEB_HEALTH_PATH, 30);
        // Streaming holds WebSockets for hours; give clients time to reconnect elsewhere (the
        // drain watcher waits as long; see DRAIN_SECONDS).
        this.streamingTargetGroup = targetGroup("streaming", "strm-", STREAMING_HEALTH_PATH, 90);

        new aws.lb.Listener(`${name}-http`, {
            loadBalancerArn: alb.arn,
            port: 80,
            protocol: "HTTP",
            defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
        }, p);
        const https = new aws.lb.Listener(`${name}-https`, {
            loadBalancerArn: alb.arn,
            port: 443,
            protocol: "HTTPS",
            sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
            certificateArn: validated.certificateArn,
            defaultActions: [{ type: "forward", targetGroupArn: this.webTargetGroup.arn }],
        }, p);
        new aws.lb.ListenerRule(`${name}-streaming`, {
            listenerArn: https.arn,
            priority: 10,
            conditions: [{ pathPattern: { values: STREAMING_PATHS } }],
            actions: [{ type: "forward", targetGroupArn: this.streamingTargetGroup.arn }],
        }, p);

        new aws.route53.Record(`${name}-alias`, {
            zoneId: zone.zoneId,
            name: args.domain,
            type: "A",
            aliases: [{ name: alb.dnsName, zoneId: alb.zoneId, evaluateTargetHealth: true }],
        }, p);

        this.dnsName = alb.dnsName;
        this.arnSuffix = alb.arnSuffix;
        this.registerOutputs({ dnsName: this.dnsName });
    }
}
