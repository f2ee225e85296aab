// The Sidekiq tier: one autoscaling group per queue group, so a backed-up push or pull queue
// cannot starve default (the article's lesson), and each group is sized on its own.

import * as pulumi from "@pulumi/pulumi";
import { SidekiqGroupConfig } from "../stacks/schema";
import { AutoscaledRole } from "./autoscaledRole";
import { roleArgs, TierPlacement } from "./tier";
import { sidekiqNode } from "./userdata/roles";
import { SIDEKIQ_NAMESPACE } from "./userdata/units";

export interface SidekiqTierArgs extends TierPlacement {
    /** The queue groups, each with its queues, threads, processes and capacity. */
    groups: SidekiqGroupConfig[];
}

export class SidekiqTier extends pulumi.ComponentResource {
    /** Autoscaling group per queue group name. */
    readonly groups: Record<string, AutoscaledRole> = {};

    constructor(name: string, args: SidekiqTierArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mastodon:tiers:SidekiqTier", name, {}, opts);
        for (const g of args.groups) {
            // Each group scales on the age of the oldest job in its own queues, which its nodes publish.
            const scaling = {
                kind: "metric" as const, namespace: SIDEKIQ_NAMESPACE, metricName: "QueueLatency",
                dimensions: { Stack: args.node.stack, QueueGroup: g.name }, statistic: "Maximum" as const, target: g.targetLatencySeconds,
            };
            const roleName = `sidekiq-${g.name}`;
            const role = roleArgs(g, args, sidekiqNode(args.node, g), roleName, scaling, g.drainSeconds);
            // The scheduler runs in exactly one process, so its group never overshoots max.
            this.groups[g.name] = new AutoscaledRole(`${name}-${g.name}`, { ...role, singleton: g.queues.includes("scheduler") }, { parent: this });
        }
        this.registerOutputs({ groupNames: Object.values(this.groups).map(g => g.groupName) });
    }
}
