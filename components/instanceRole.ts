// The IAM role an instance of one tier runs as: Session Manager instead of SSH keys, its
// stack's SSM path read-only, its own log group, completing its own lifecycle action, and
// only where the tier needs them: the media bucket, its metric namespace, its target groups.

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface InstanceRoleArgs {
    /** Stack name: instances may complete lifecycle actions only of groups tagged with it. */
    stack: string;
    /** Role tag pattern of the groups whose lifecycle actions the instances may complete (e.g. "web", "sidekiq-*"). */
    groupRoleTag: string;
    /** SSM path whose parameters the instance may read, e.g. /mastodon/prod. */
    settingsPath: string;
    /** The tier's log group, created here, the only one its instances may write to (e.g. /mastodon/prod/web). */
    logGroupName: string;
    /** Days its logs are kept. Default 30. */
    logRetentionDays?: number;
    /** Media bucket ARN, for tiers that read and write media (web, sidekiq). Default none. */
    mediaBucketArn?: pulumi.Input<string>;
    /** CloudWatch namespace the instance publishes metrics to (sidekiq). Default none. */
    metricsNamespace?: string;
    /** Target groups the instance leaves when it drains (web, streaming). Default none. */
    targetGroupArns?: pulumi.Input<string>[];
}

/** What an app instance may do, beyond the managed Session Manager policy. Pure, for tests. */
export interface InstancePolicyInput {
    region: string;
    stack: string;
    groupRoleTag: string;
    settingsParameterArn: string;
    logGroupArn: string;
    mediaBucketArn?: string;
    metricsNamespace?: string;
    targetGroupArns?: string[];
}

export function instancePolicy(i: InstancePolicyInput): object {
    const statements: object[] = [
        { Sid: "ReadSettings", Effect: "Allow", Action: ["ssm:GetParametersByPath", "ssm:GetParameters", "ssm:GetParameter"], Resource: [i.settingsParameterArn, `${i.settingsParameterArn}/*`] },
        // SecureString values are decrypted with the AWS-managed SSM key, only through SSM.
        { Sid: "DecryptSettings", Effect: "Allow", Action: "kms:Decrypt", Resource: "*", Condition: { StringEquals: { "kms:ViaService": `ssm.${i.region}.amazonaws.com` } } },
        { Sid: "WriteLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource: [i.logGroupArn, `${i.logGroupArn}:*`] },
        // The drain watcher: find its group's target groups, then let the termination go on.
        { Sid: "FindOwnGroup", Effect: "Allow", Action: "autoscaling:DescribeAutoScalingGroups", Resource: "*" },
        { Sid: "CompleteOwnLifecycle", Effect: "Allow", Action: "autoscaling:CompleteLifecycleAction", Resource: "*", Condition: { StringEquals: { "autoscaling:ResourceTag/Stack": i.stack }, StringLike: { "autoscaling:ResourceTag/Role": i.groupRoleTag } } },
    ];
    if (i.mediaBucketArn) {
        statements.push(
            { Sid: "ListMedia", Effect: "Allow", Action: "s3:ListBucket", Resource: i.mediaBucketArn },
            // No PutObjectAcl: the bucket has ACLs disabled and S3_PERMISSION is empty.
            { Sid: "ReadWriteMedia", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: `${i.mediaBucketArn}/*` },
        );
    }
    if (i.metricsNamespace) {
        statements.push({ Sid: "PublishMetrics", Effect: "Allow", Action: "cloudwatch:PutMetricData", Resource: "*", Condition: { StringEquals: { "cloudwatch:namespace": i.metricsNamespace } } });
    }
    // Only the drain watcher's spot-notice path needs this; on scale-in the group deregisters itself.
    if (i.targetGroupArns?.length) {
        statements.push({ Sid: "LeaveTargetGroups", Effect: "Allow", Action: "elasticloadbalancing:DeregisterTargets", Resource: i.targetGroupArns });
    }
    return { Version: "2012-10-17", Statement: statements };
}

export class InstanceRole extends pulumi.ComponentResource {
    readonly profileArn: pulumi.Output<string>;
    readonly roleName: pulumi.Output<string>;

    constructor(name: string, args: InstanceRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mastodon:iam:InstanceRole", name, {}, opts);
        const p = { parent: this };
        const identity = aws.getCallerIdentityOutput({}, p);
        const region = aws.getRegionOutput({}, p);
        const partition = aws.getPartitionOutput({}, p);

        const role = new aws.iam.Role(name, {
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
            }),
        }, p);
        new aws.iam.RolePolicyAttachment(`${name}-ssm`, { role: role.name, policyArn: pulumi.interpolate`arn:${partition.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore` }, p);
        const logs = new aws.cloudwatch.LogGroup(name, { name: args.logGroupName, retentionInDays: args.logRetentionDays ?? 30 }, p);
        const parameterArn = pulumi.interpolate`arn:${partition.partition}:ssm:${region.region}:${identity.accountId}:parameter${args.settingsPath}`;
        new aws.iam.RolePolicy(name, {
            role: role.name,
            policy: pulumi.all([region.region, parameterArn, logs.arn, args.mediaBucketArn, pulumi.all(args.targetGroupArns ?? [])])
                .apply(([r, arn, logGroupArn, mediaBucketArn, targetGroupArns]) => JSON.stringify(instancePolicy({
                    region: r, stack: args.stack, groupRoleTag: args.groupRoleTag, settingsParameterArn: arn, logGroupArn, mediaBucketArn, metricsNamespace: args.metricsNamespace, targetGroupArns,
                }))),
        }, p);
        const profile = new aws.iam.InstanceProfile(name, { role: role.name }, p);

        this.profileArn = profile.arn;
        this.roleName = role.name;
        this.registerOutputs({ profileArn: this.profileArn });
    }
}
