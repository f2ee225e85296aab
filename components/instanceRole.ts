// The IAM role an instance of one tier runs as: Session Manager instead of SSH keys, its
// stack's SSM path read-only, CloudWatch metrics and logs, and the media bucket only if the
// tier uploads media.

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface InstanceRoleArgs {
    /** SSM path whose parameters the instance may read, e.g. /mastodon/prod. */
    settingsPath: string;
    /** Media bucket ARN, for tiers that read and write media (web, sidekiq). Default none. */
    mediaBucketArn?: pulumi.Input<string>;
}

/** The policy document an app instance needs beyond the managed SSM and CloudWatch policies. */
export function instancePolicy(region: string, settingsParameterArn: string, mediaBucketArn?: string): object {
    const statements: object[] = [
        { Sid: "ReadSettings", Effect: "Allow", Action: ["ssm:GetParametersByPath", "ssm:GetParameters", "ssm:GetParameter"], Resource: [settingsParameterArn, `${settingsParameterArn}/*`] },
        // SecureString values are decrypted with the AWS-managed SSM key, only through SSM.
        { Sid: "DecryptSettings", Effect: "Allow", Action: "kms:Decrypt", Resource: "*", Condition: { StringEquals: { "kms:ViaService": `ssm.${region}.amazonaws.com` } } },
    ];
    if (mediaBucketArn) {
        statements.push(
            { Sid: "ListMedia", Effect: "Allow", Action: "s3:ListBucket", Resource: mediaBucketArn },
            // No PutObjectAcl: the bucket has ACLs disabled and S3_PERMISSION is empty.
            { Sid: "ReadWriteMedia", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: `${mediaBucketArn}/*` },
        );
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
        for (const [id, policy] of [["ssm", "AmazonSSMManagedInstanceCore"], ["cloudwatch", "CloudWatchAgentServerPolicy"]]) {
            new aws.iam.RolePolicyAttachment(`${name}-${id}`, { role: role.name, policyArn: pulumi.interpolate`arn:${partition.partition}:iam::aws:policy/${policy}` }, p);
        }
        const parameterArn = pulumi.interpolate`arn:${partition.partition}:ssm:${region.region}:${identity.accountId}:parameter${args.settingsPath}`;
        new aws.iam.RolePolicy(name, {
            role: role.name,
            policy: pulumi.all([region.region, parameterArn, args.mediaBucketArn]).apply(([r, arn, bucket]) => JSON.stringify(instancePolicy(r, arn, bucket))),
        }, p);
        const profile = new aws.iam.InstanceProfile(name, { role: role.name }, p);

        this.profileArn = profile.arn;
        this.roleName = role.name;
        this.registerOutputs({ profileArn: this.profileArn });
    }
}
