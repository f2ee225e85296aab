// The one building block every tier runs on: a launch template and an autoscaling group that
// buys spot through a mixed-instances policy, rolls instances when the template changes,
// scales on its tier's signal, and holds terminating instances while they drain.

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DRAIN_HOOK } from "./userdata/drain";

/** What a group's target-tracking policy holds steady. */
export type ScalingSignal =
    | { kind: "cpu"; targetPercent: number }
    | { kind: "metric"; namespace: string; metricName: string; dimensions: Record<string, string>; statistic: "Average" | "Maximum"; target: number };

export interface AutoscaledRoleArgs {
    /** Instance types the group may launch, in priority order for on-demand. */
    instanceTypes: string[];
    /** AMI the instances boot. */
    imageId: pulumi.Input<string>;
    /** The AMI's root device name (e.g. /dev/xvda), so the encrypted volume replaces it. */
    rootDeviceName: pulumi.Input<string>;
    /** Private subnets to launch into, one per AZ. */
    subnetIds: pulumi.Input<string>[];
    /** Security groups of the instances. */
    securityGroupIds: pulumi.Input<string>[];
    /** Instance profile ARN the instances run as. */
    instanceProfileArn: pulumi.Input<string>;
    /** cloud-init user data, plain text (encoded here). Must hold no secret. */
    userData: pulumi.Input<string>;
    /** Fewest instances. */
    min: number;
    /** Most instances. */
    max: number;
    /** Instances bought on-demand before any spot. */
    onDemandBase: number;
    /** Share of capacity above the base bought on-demand, 0-100. */
    onDemandPercentAboveBase: number;
    /** Target groups to register with; when given, ELB health decides replacement. Default none. */
    targetGroupArns?: pulumi.Input<string>[];
    /** CPU credit mode for burstable (t*) types; unset for fixed-performance families. Default unset. */
    cpuCredits?: "standard" | "unlimited";
    /** Root volume size in GiB. Default 30. */
    rootVolumeGb?: number;
    /** Seconds after launch before health checks count. Default 300 (asset-heavy boots are slow). */
    healthCheckGracePeriod?: number;
    /** The signal the group scales on. */
    scaling: ScalingSignal;
    /** Seconds the lifecycle hook holds a terminating instance for its drain. */
    drainHeartbeatSeconds: number;
    /** Never run more than max, even for a moment (the Sidekiq scheduler): no AZ rebalancing, no capacity rebalance. Default false. */
    singleton?: boolean;
    /** Tags for the group and its instances. Default none. */
    tags?: Record<string, string>;
}

export class AutoscaledRole extends pulumi.ComponentResource {
    readonly groupName: pulumi.Output<string>;
    readonly launchTemplateId: pulumi.Output<string>;

    constructor(name: string, args: AutoscaledRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mastodon:compute:AutoscaledRole", name, {}, opts);
        const p = { parent: this };
        const tags = { Name: name, ...args.tags };

        const template = new aws.ec2.LaunchTemplate(name, {
            imageId: args.imageId,
            iamInstanceProfile: { arn: args.instanceProfileArn },
            vpcSecurityGroupIds: args.securityGroupIds,
            userData: pulumi.output(args.userData).apply(text => Buffer.from(text).toString("base64")),
            metadataOptions: { httpTokens: "required", httpEndpoint: "enabled", httpPutResponseHopLimit: 1, instanceMetadataTags: "enabled" },
            blockDeviceMappings: [{
                deviceName: args.rootDeviceName,
                ebs: { volumeSize: args.rootVolumeGb ?? 30, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
            }],
            creditSpecification: args.cpuCredits ? { cpuCredits: args.cpuCredits } : undefined,
            monitoring: { enabled: true },
            updateDefaultVersion: true,
            tagSpecifications: [
                { resourceType: "instance", tags },
                { resourceType: "volume", tags },
            ],
            tags,
        }, p);

        const group = new aws.autoscaling.Group(name, {
            vpcZoneIdentifiers: args.subnetIds,
            minSize: args.min,
            maxSize: args.max,
            // Both may briefly overshoot max, which a singleton must never do.
            capacityRebalance: !args.singleton,
            suspendedProcesses: args.singleton ? ["AZRebalance"] : undefined,
            mixedInstancesPolicy: {
                instancesDistribution: {
                    onDemandBaseCapacity: args.onDemandBase,
                    onDemandPercentageAboveBaseCapacity: args.onDemandPercentAboveBase,
                    onDemandAllocationStrategy: "prioritized",
                    spotAllocationStrategy: "price-capacity-optimized",
                },
                launchTemplate: {
                    // The template's version number, not "$Latest": only a changed number starts an instance refresh.
                    launchTemplateSpecification: { launchTemplateId: template.id, version: template.latestVersion.apply(String) },
                    overrides: args.instanceTypes.map(instanceType => ({ instanceType })),
                },
            },
            targetGroupArns: args.targetGroupArns,
            healthCheckType: args.targetGroupArns?.length ? "ELB" : "EC2",
            healthCheckGracePeriod: args.healthCheckGracePeriod ?? 300,
            instanceRefresh: {
                strategy: "Rolling",
                // No autoRollback: the provider moves the group to the new template version before the
                // refresh starts, so a rollback would land on the same broken version.
                preferences: { minHealthyPercentage: 90, skipMatching: true },
            },
            enabledMetrics: ["GroupDesiredCapacity", "GroupInServiceInstances", "GroupPendingInstances", "GroupTerminatingInstances", "GroupTotalInstances"],
            tags: Object.entries(tags).map(([key, value]) => ({ key, value, propagateAtLaunch: false })),
        }, {
            parent: this,
            // The scaling policy owns the desired count; a deploy must not reset it.
            ignoreChanges: ["desiredCapacity"],
        });

        // Terminating instances wait here while their drain watcher empties them (see userdata/drain.ts).
        new aws.autoscaling.LifecycleHook(name, {
            name: DRAIN_HOOK,
            autoscalingGroupName: group.name,
            lifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
            heartbeatTimeout: args.drainHeartbeatSeconds,
            defaultResult: "CONTINUE",
        }, p);

        const s = args.scaling;
        new aws.autoscaling.Policy(name, {
            autoscalingGroupName: group.name,
            policyType: "TargetTrackingScaling",
            targetTrackingConfiguration: s.kind === "cpu"
                ? { predefinedMetricSpecification: { predefinedMetricType: "ASGAverageCPUUtilization" }, targetValue: s.targetPercent }
                : {
                    customizedMetricSpecification: {
                        namespace: s.namespace,
                        metricName: s.metricName,
                        metricDimensions: Object.entries(s.dimensions).map(([name, value]) => ({ name, value })),
                        statistic: s.statistic,
                    },
                    targetValue: s.target,
                },
        }, p);

        this.groupName = group.name;
        this.launchTemplateId = template.id;
        this.registerOutputs({ groupName: this.groupName });
    }
}
