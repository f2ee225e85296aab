// ElastiCache Redis/Valkey for Mastodon: one primary with replicas, cluster mode off (Mastodon
// cannot use cluster mode), TLS and AUTH on, and noeviction, because Sidekiq's queues live here.

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CACHE_ENGINE_VERSIONS } from "../stacks/catalog";

export interface CacheArgs {
    /** Private subnets for the cache subnet group. */
    subnetIds: pulumi.Input<string>[];
    /** Security group that admits the app tiers on 6379. */
    securityGroupId: pulumi.Input<string>;
    /** "valkey" or "redis". */
    engine: "valkey" | "redis";
    /** Engine major.minor, e.g. "7.2". */
    engineVersion: string;
    /** Node type, e.g. cache.r7g.large. */
    nodeType: string;
    /** Replicas beside the primary; 1 or more turns on automatic failover and Multi-AZ. */
    replicas: number;
    /** AUTH token (generated, secret); sent over TLS only. */
    authToken: pulumi.Input<string>;
    /** Days of daily snapshots to keep. Default 7. */
    snapshotRetentionDays?: number;
    /** Also `protect` the group in Pulumi state. Default false. */
    protect?: boolean;
}


export class Cache extends pulumi.ComponentResource {
    readonly primaryEndpoint: pulumi.Output<string>;
    readonly port: pulumi.Output<number>;
    /** Node (cache cluster) ids: ElastiCache names them <group id>-001, -002, ... */
    readonly nodeIds: pulumi.Output<string>[];

    constructor(name: string, args: CacheArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mastodon:cache:Cache", name, {}, opts);
        const p = { parent: this };
        const subnets = new aws.elasticache.SubnetGroup(name, { subnetIds: args.subnetIds, description: "Mastodon Redis" }, p);
        const params = new aws.elasticache.ParameterGroup(name, {
            family: CACHE_ENGINE_VERSIONS[args.engine][args.engineVersion],
            description: "Mastodon: Sidekiq needs noeviction",
            parameters: [{ name: "maxmemory-policy", value: "noeviction" }],
        }, p);
        const failover = args.replicas >= 1;
        const group = new aws.elasticache.ReplicationGroup(name, {
            description: "Mastodon Redis (Sidekiq, cache, streaming pub/sub)",
            engine: args.engine,
            engineVersion: args.engineVersion,
            nodeType: args.nodeType,
            numCacheClusters: 1 + args.replicas,
            clusterMode: "disabled",
            automaticFailoverEnabled: failover,
            multiAzEnabled: failover,
            port: 6379,
            parameterGroupName: params.name,
            subnetGroupName: subnets.name,
            securityGroupIds: [args.securityGroupId],
            atRestEncryptionEnabled: true,
            transitEncryptionEnabled: true,
            authToken: args.authToken,
            snapshotRetentionLimit: args.snapshotRetentionDays ?? 7,
            autoMinorVersionUpgrade: true,
            applyImmediately: false,
        }, { parent: this, protect: args.protect });

        this.primaryEndpoint = group.primaryEndpointAddress;
        this.port = group.port.apply(port => port ?? 6379);
        this.nodeIds = [...Array(1 + args.replicas).keys()].map(i => pulumi.interpolate`${group.id}-00${i + 1}`);
        this.registerOutputs({ primaryEndpoint: this.primaryEndpoint });
    }
}
