// One Mastodon environment: how the components are wired together. Data flows one way:
// validated config -> components -> AWS resources. Nothing here reads pulumi.Config.

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Cache } from "../components/cache";
import { Database, DB_NAME, DB_USER } from "../components/database";
import { DbProxy } from "../components/dbProxy";
import { InstanceRole, InstanceRoleArgs } from "../components/instanceRole";
import { LoadBalancer } from "../components/loadBalancer";
import { MediaStore } from "../components/media";
import { Monitoring } from "../components/monitoring";
import { Network } from "../components/network";
import { AppSecrets } from "../components/secrets";
import { SecurityGroups } from "../components/securityGroups";
import { AppSettings, settingsPath } from "../components/settings";
import { SidekiqTier } from "../components/sidekiqTier";
import { StreamingTier } from "../components/streamingTier";
import { BootImage } from "../components/tier";
import { NODE_LAYOUT } from "../components/userdata/layout";
import { SIDEKIQ_NAMESPACE } from "../components/userdata/units";
import { NodeContext } from "../components/userdata/roles";
import { WebTier } from "../components/webTier";
import { alarmSpecs } from "./alarms";
import { Architecture, architectureOf } from "./catalog";
import { roleGroups } from "./roles";
import { EnvironmentConfig, ImageConfig } from "./schema";

/** What `pulumi stack output` shows. No secret is among them. */
export interface EnvironmentOutputs {
    url: string;
    albDnsName: pulumi.Output<string>;
    mediaCdnDomain: pulumi.Output<string>;
    mediaBucket: pulumi.Output<string>;
    databaseAddress: pulumi.Output<string>;
    redisEndpoint: pulumi.Output<string>;
    settingsPath: string;
    autoscalingGroups: Record<string, pulumi.Output<string>>;
    alarmTopicArn: pulumi.Output<string>;
    dashboardName: pulumi.Output<string>;
}


/** Looks up (or pins) the newest image for one architecture. */
function bootImage(image: ImageConfig, architecture: Architecture): BootImage {
    const pinned = image.amiIds[architecture];
    const ami = aws.ec2.getAmiOutput({
        owners: [image.owner],
        mostRecent: true,
        filters: [
            pinned ? { name: "image-id", values: [pinned] } : { name: "name", values: [image.name] },
            { name: "architecture", values: [architecture] },
            { name: "state", values: ["available"] },
        ],
    });
    return { id: ami.id, rootDeviceName: ami.rootDeviceName };
}

export function createEnvironment(cfg: EnvironmentConfig): EnvironmentOutputs {
    const name = `mastodon-${cfg.stack}`;
    const ssmPath = settingsPath(cfg.stack);

    const network = new Network(name, { region: cfg.region, ...cfg.network });
    const pooled = cfg.database.pooler === "rdsProxy";
    const sgs = new SecurityGroups(name, { vpcId: network.vpcId, smtpPort: cfg.smtp.port, dbProxy: pooled });
    const secrets = new AppSecrets(name, { protect: cfg.protectData });

    const database = new Database(name, {
        subnetIds: network.privateSubnetIds,
        securityGroupId: sgs.database.id,
        password: secrets.dbPassword,
        protect: cfg.protectData,
        ...cfg.database,
    });
    // Behind RDS Proxy the app connects to the proxy without prepared statements (they would pin
    // each client to a server connection); migrations still go straight to the database.
    const proxy = pooled ? new DbProxy(name, {
        subnetIds: network.privateSubnetIds,
        securityGroupId: sgs.dbProxy!.id,
        dbInstanceIdentifier: database.instanceId,
        username: DB_USER,
        password: secrets.dbPassword,
    }) : undefined;
    const cache = new Cache(name, {
        subnetIds: network.privateSubnetIds,
        securityGroupId: sgs.cache.id,
        authToken: secrets.redisAuthToken,
        protect: cfg.protectData,
        ...cfg.cache,
    });
    const media = new MediaStore(name, { priceClass: cfg.media.priceClass, protect: cfg.protectData });
    const lb = new LoadBalancer(name, {
        vpcId: network.vpcId,
        subnetIds: network.publicSubnetIds,
        securityGroupId: sgs.alb.id,
        domain: cfg.domain,
        dnsZone: cfg.dnsZone,
    });

    const settings = new AppSettings(name, {
        path: ssmPath,
        settings: {
            LOCAL_DOMAIN: cfg.domain,
            DB_HOST: proxy ? proxy.endpoint : database.address,
            ...(proxy ? { PREPARED_STATEMENTS: "false", MIGRATION_DB_HOST: database.address } : {}),
            DB_PORT: database.port.apply(String),
            DB_NAME,
            DB_USER,
            DB_SSLMODE: "require",
            // TLS to ElastiCache needs the rediss:// scheme and the pure-Ruby driver.
            REDIS_DRIVER: "ruby",
            S3_ENABLED: "true",
            S3_BUCKET: media.bucketName,
            S3_REGION: cfg.region,
            S3_ALIAS_HOST: media.cdnDomain,
            // S3_PERMISSION is written empty on the node (SSM cannot store ""); see EMPTY_SETTINGS.
            SMTP_SERVER: cfg.smtp.server,
            SMTP_PORT: String(cfg.smtp.port),
            SMTP_FROM_ADDRESS: cfg.smtp.fromAddress,
            ...(cfg.smtp.login ? { SMTP_LOGIN: cfg.smtp.login } : {}),
            VAPID_PUBLIC_KEY: secrets.vapidPublicKey,
        },
        secrets: {
            ...secrets.app,
            DB_PASS: secrets.dbPassword,
            REDIS_URL: pulumi.interpolate`rediss://:${secrets.redisAuthToken}@${cache.primaryEndpoint}:${cache.port}`,
        },
    });

    const architectures = new Set(roleGroups(cfg).map(g => architectureOf(g.capacity.families)));
    const images: Partial<Record<Architecture, BootImage>> = {};
    for (const arch of architectures) images[arch] = bootImage(cfg.image, arch);

    const node: NodeContext = { stack: cfg.stack, region: cfg.region, ssmPath, vpcCidr: cfg.network.cidr, layout: NODE_LAYOUT };
    const role = (tier: string, extra: Partial<InstanceRoleArgs>) =>
        new InstanceRole(`${name}-${tier}`, {
            stack: cfg.stack, settingsPath: ssmPath, logGroupName: `/mastodon/${cfg.stack}/${tier}`,
            groupRoleTag: tier === "sidekiq" ? "sidekiq-*" : tier, ...extra,
        });
    const placement = (securityGroupId: pulumi.Output<string>, profile: InstanceRole) =>
        ({ images, subnetIds: network.privateSubnetIds, securityGroupId, instanceProfileArn: profile.profileArn, node, settingsRevision: settings.revision });

    const web = new WebTier(`${name}-web`, {
        ...placement(sgs.web.id, role("web", { mediaBucketArn: media.bucketArn, targetGroupArns: [lb.webTargetGroup.arn] })),
        web: cfg.web,
        nginx: cfg.nginx,
        targetGroupArn: lb.webTargetGroup.arn,
    });
    // Streaming never touches media, so its role has no bucket access.
    const streaming = new StreamingTier(`${name}-streaming`, {
        ...placement(sgs.streaming.id, role("streaming", { targetGroupArns: [lb.streamingTargetGroup.arn] })),
        streaming: cfg.streaming,
        nginx: cfg.nginx,
        targetGroupArn: lb.streamingTargetGroup.arn,
    });
    const sidekiq = new SidekiqTier(`${name}-sidekiq`, {
        ...placement(sgs.sidekiq.id, role("sidekiq", { mediaBucketArn: media.bucketArn, metricsNamespace: SIDEKIQ_NAMESPACE })),
        groups: cfg.sidekiq,
    });

    const groupNames: Record<string, pulumi.Output<string>> = { web: web.group.groupName, streaming: streaming.group.groupName };
    for (const [group, asg] of Object.entries(sidekiq.groups)) groupNames[`sidekiq-${group}`] = asg.groupName;
    const monitoring = new Monitoring(name, {
        emails: cfg.alerts.emails,
        region: cfg.region,
        runbookBase: cfg.alerts.runbookBaseUrl,
        alarms: alarmSpecs(cfg, {
            databaseId: database.instanceId,
            cacheNodeIds: cache.nodeIds,
            albArnSuffix: lb.arnSuffix,
            targetGroups: { web: lb.webTargetGroup.arnSuffix, streaming: lb.streamingTargetGroup.arnSuffix },
            groupNames,
        }),
        graphs: [{
            title: "instances in service per group",
            metrics: Object.values(groupNames).map(asg => ["AWS/AutoScaling", "GroupInServiceInstances", "AutoScalingGroupName", asg]),
        }],
    });

    return {
        url: `https://${cfg.domain}`,
        albDnsName: lb.dnsName,
        mediaCdnDomain: media.cdnDomain,
        mediaBucket: media.bucketName,
        databaseAddress: database.address,
        redisEndpoint: cache.primaryEndpoint,
        settingsPath: ssmPath,
        autoscalingGroups: groupNames,
        alarmTopicArn: monitoring.topicArn,
        dashboardName: monitoring.dashboardName,
    };
}
