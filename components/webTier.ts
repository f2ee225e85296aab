// The web tier: nginx in front of puma on every instance, registered with the ALB's web group.

import * as pulumi from "@pulumi/pulumi";
import { NginxConfig, WebConfig } from "../stacks/schema";
import { AutoscaledRole } from "./autoscaledRole";
import { roleArgs, TierPlacement } from "./tier";
import { DRAIN_SECONDS } from "./userdata/roles";
import { webNode } from "./userdata/roles";

export interface WebTierArgs extends TierPlacement {
    /** Families, size, counts, spot mix and puma sizing. */
    web: WebConfig;
    /** nginx tuning (the article's values by default). */
    nginx: NginxConfig;
    /** The ALB target group for web. */
    targetGroupArn: pulumi.Input<string>;
}

export class WebTier extends pulumi.ComponentResource {
    readonly group: AutoscaledRole;

    constructor(name: string, args: WebTierArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mastodon:tiers:WebTier", name, {}, opts);
        const spec = webNode(args.node, args.web, args.nginx);
        this.group = new AutoscaledRole(name, { ...roleArgs(args.web, args, spec, "web", { kind: "cpu", targetPercent: args.web.targetCpuPercent }, DRAIN_SECONDS.web), targetGroupArns: [args.targetGroupArn] }, { parent: this });
        this.registerOutputs({ groupName: this.group.groupName });
    }
}
