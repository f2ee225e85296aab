// Where alarms go, and the alarms the guards promise: an encrypted SNS topic with the
// configured email subscribers, and a CPUCreditBalance alarm wherever burstable capacity runs.

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** One thing that runs on CPU credits, as CloudWatch names it. */
export interface CreditWatch {
    /** Short label for the alarm name, e.g. "web" or "database". */
    label: string;
    /** CloudWatch namespace: AWS/EC2 (an autoscaling group), AWS/RDS or AWS/ElastiCache. */
    namespace: "AWS/EC2" | "AWS/RDS" | "AWS/ElastiCache";
    /** Metric dimensions, e.g. { AutoScalingGroupName: ... }. */
    dimensions: Record<string, pulumi.Input<string>>;
}

export interface MonitoringArgs {
    /** Email addresses subscribed to the alarm topic. */
    emails: string[];
    /** Credit balance below which a burstable resource alarms. */
    cpuCreditBalanceMin: number;
    /** Burstable resources to watch. Default none. */
    creditWatches?: CreditWatch[];
    /** Base URL of the runbooks the alarm descriptions link to. */
    runbookBaseUrl: string;
}

export class Monitoring extends pulumi.ComponentResource {
    readonly topicArn: pulumi.Output<string>;

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mastodon:monitoring:Monitoring", name, {}, opts);
        const p = { parent: this };
        // CloudWatch can publish to an encrypted topic only with a customer-managed key whose
        // policy lets it; with the AWS-managed SNS key, alarm notifications are silently dropped.
        const account = aws.getCallerIdentityOutput({}, p).accountId;
        const key = new aws.kms.Key(name, {
            description: "Mastodon alarm topic",
            enableKeyRotation: true,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: pulumi.interpolate`arn:aws:iam::${account}:root` }, Action: "kms:*", Resource: "*" },
                    { Sid: "CloudWatchPublishes", Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*" },
                ],
            }),
        }, p);
        const topic = new aws.sns.Topic(name, { kmsMasterKeyId: key.id }, p);
        args.emails.forEach((endpoint, i) =>
            new aws.sns.TopicSubscription(`${name}-email-${i}`, { topic: topic.arn, protocol: "email", endpoint }, p));

        for (const w of args.creditWatches ?? []) {
            new aws.cloudwatch.MetricAlarm(`${name}-cpu-credits-${w.label}`, {
                alarmDescription: `${w.label} is running out of CPU credits and will be throttled to its baseline. Runbook: ${args.runbookBaseUrl}/cpu-credit-balance.md`,
                namespace: w.namespace,
                metricName: "CPUCreditBalance",
                dimensions: w.dimensions,
                statistic: "Minimum",
                period: 300,
                evaluationPeriods: 3,
                comparisonOperator: "LessThanThreshold",
                threshold: args.cpuCreditBalanceMin,
                treatMissingData: "notBreaching",
                alarmActions: [topic.arn],
                okActions: [topic.arn],
            }, p);
        }

        this.topicArn = topic.arn;
        this.registerOutputs({ topicArn: this.topicArn });
    }
}
