// The streaming tier: several node processes per instance behind a local least_conn nginx,
// registered with the ALB's streaming group.

import * as pulumi from "@pulumi/pulumi";
import { NginxConfig, StreamingConfig } from "../stacks/schema";
import { AutoscaledRole } from "./autoscaledRole";
import { roleArgs, TierPlacement } from "./tier";
import { DRAIN_SECONDS } from "./userdata/roles";
import { streamingNode } from "./userdata/roles";

export interface StreamingTierArgs extends TierPlacement {
    /** Families, size, counts, spot mix, processes per instance and DB pool. */
    streaming: StreamingConfig;
    /** nginx tuning for the local balancer. */
    nginx: NginxConfig;
    /** The ALB target group for streaming. */
    targetGroupArn: pulumi.Input<string>;
}

export class StreamingTier extends pulumi.ComponentResource {
    readonly group: AutoscaledRole;

    constructor(name: string, args: StreamingTierArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mastodon:tiers:StreamingTier", name, {}, opts);
        const spec = streamingNode(args.node, args.streaming, args.nginx);
        this.group = new AutoscaledRole(name, { ...roleArgs(args.streaming, args, spec, "streaming", { kind: "cpu", targetPercent: args.streaming.targetCpuPercent }, DRAIN_SECONDS.streaming), targetGroupArns: [args.targetGroupArn] }, { parent: this });
        this.registerOutputs({ groupName: this.group.groupName });
    }
}
