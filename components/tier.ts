// What every tier shares: the image it boots and where its instances live. The tiers turn
// their role's config into an AutoscaledRole with the role's rendered user data.

import * as pulumi from "@pulumi/pulumi";
import { architectureOf, instanceTypesOf, isBurstable } from "../stacks/catalog";
import { CapacityConfig } from "../stacks/schema";
import { AutoscaledRoleArgs, ScalingSignal } from "./autoscaledRole";
import { hookHeartbeatSeconds } from "./userdata/drain";
import { renderCloudConfig, NodeSpec } from "./userdata/cloudInit";
import { NodeContext } from "./userdata/roles";

/** An AMI as the launch template needs it. */
export interface BootImage {
    /** AMI id. */
    id: pulumi.Input<string>;
    /** Root device name of the AMI. */
    rootDeviceName: pulumi.Input<string>;
}

export interface TierPlacement {
    /** Image per architecture; a tier picks the one its families need. */
    images: Partial<Record<"x86_64" | "arm64", BootImage>>;
    /** Private subnets to launch into. */
    subnetIds: pulumi.Input<string>[];
    /** The tier's security group. */
    securityGroupId: pulumi.Input<string>;
    /** The tier's instance profile ARN. */
    instanceProfileArn: pulumi.Input<string>;
    /** Region, settings path, VPC CIDR and on-node paths. */
    node: NodeContext;
    /** Digest of the app's settings; in the user data so a settings change rolls the group. */
    settingsRevision: pulumi.Input<string>;
}

/**
 * CPU credit mode for a group: unset for fixed-performance families. On-demand burstable
 * groups run unlimited, since the article's t2 fleet stalled when credits ran out. Groups
 * that buy spot follow AWS's advice for spot burstable instances, standard, so a short-lived
 * spot instance is not billed for surplus credits; a CPUCreditBalance alarm watches them.
 */
export function cpuCreditsFor(capacity: CapacityConfig): "standard" | "unlimited" | undefined {
    if (!isBurstable(capacity.families)) return undefined;
    const allOnDemand = capacity.onDemandPercentAboveBase === 100 || capacity.onDemandBase >= capacity.max;
    return allOnDemand ? "unlimited" : "standard";
}

/** AutoscaledRole args for a group: its capacity and spot mix, image, rendered node, scaling and drain. */
export function roleArgs(capacity: CapacityConfig, placement: TierPlacement, spec: NodeSpec, role: string,
    scaling: ScalingSignal, drainSeconds: number): AutoscaledRoleArgs {
    const architecture = architectureOf(capacity.families);
    const image = placement.images[architecture];
    if (!image) throw new Error(`no ${architecture} image for ${role}`); // validation guarantees one
    return {
        instanceTypes: instanceTypesOf(capacity),
        imageId: image.id,
        rootDeviceName: image.rootDeviceName,
        subnetIds: placement.subnetIds,
        securityGroupIds: [placement.securityGroupId],
        instanceProfileArn: placement.instanceProfileArn,
        userData: pulumi.output(placement.settingsRevision).apply(revision => renderCloudConfig(spec, revision)),
        min: capacity.min,
        max: capacity.max,
        onDemandBase: capacity.onDemandBase,
        onDemandPercentAboveBase: capacity.onDemandPercentAboveBase,
        cpuCredits: cpuCreditsFor(capacity),
        scaling,
        drainHeartbeatSeconds: hookHeartbeatSeconds(drainSeconds),
        // Stack scopes the instances' right to complete their own lifecycle actions.
        tags: { Role: role, Stack: placement.node.stack },
    };
}
