// Where trouble is heard: an encrypted SNS topic with the configured email subscribers, one
// CloudWatch alarm per AlarmSpec (each description links its runbook), and one dashboard of
// the same signals. What to alarm on is decided in stacks/alarms.ts.

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** One alarm, and the dashboard graph of its metric. */
export interface AlarmSpec {
    /** Resource name suffix and dashboard key, e.g. "db-connections" or "sidekiq-latency-push". */
    id: string;
    /** What the alarm means, one sentence. */
    description: string;
    /** Runbook file in docs/runbooks/. */
    runbook: string;
    /** CloudWatch namespace, e.g. AWS/RDS. */
    namespace: string;
    /** Metric name, e.g. DatabaseConnections. */
    metricName: string;
    /** Metric dimensions. */
    dimensions: Record<string, pulumi.Input<string>>;
    /** Statistic, or a percentile such as "p95". */
    statistic: "Average" | "Maximum" | "Minimum" | "Sum" | "p95";
    /** Seconds per datapoint. */
    period: number;
    /** Datapoints in a row that must breach. */
    evaluationPeriods: number;
    /** Alarm above or below the threshold. */
    comparison: "GreaterThanThreshold" | "LessThanThreshold";
    threshold: number;
    /** What a gap in the data means. Default "notBreaching". */
    treatMissingData?: "notBreaching" | "breaching" | "missing";
}

export interface MonitoringArgs {
    /** Email addresses subscribed to the alarm topic. Default none. */
    emails?: string[];
    /** The alarms. */
    alarms: AlarmSpec[];
    /** Where the runbooks are, prefixed to each runbook file in descriptions. */
    runbookBase: string;
    /** Extra dashboard graphs without alarms (e.g. instances per group). Default none. */
    graphs?: { title: string; metrics: pulumi.Input<string>[][] }[];
    /** AWS region, for the dashboard's widgets. */
    region: string;
}

const GRID_WIDTH = 24;
const WIDGET = { width: 8, height: 6 };

/** The dashboard body: one graph per alarm (with its threshold) and per extra graph, three a row. */
export function dashboardBody(region: string, alarms: (Omit<AlarmSpec, "dimensions"> & { dimensions: Record<string, string> })[],
    graphs: { title: string; metrics: string[][] }[]): string {
    const widgets = [
        ...alarms.map(a => ({
            title: a.id,
            metrics: [[a.namespace, a.metricName, ...Object.entries(a.dimensions).flat(), { stat: a.statistic, period: a.period }]],
            annotations: { horizontal: [{ label: "alarm", value: a.threshold }] },
        })),
        ...graphs.map(g => ({ title: g.title, metrics: g.metrics, annotations: undefined })),
    ].map((w, i) => ({
        type: "metric",
        x: (i * WIDGET.width) % GRID_WIDTH,
        y: Math.floor((i * WIDGET.width) / GRID_WIDTH) * WIDGET.height,
        ...WIDGET,
        properties: { title: w.title, region, view: "timeSeries", stacked: false, metrics: w.metrics, ...(w.annotations ? { annotations: w.annotations } : {}) },
    }));
    return JSON.stringify({ widgets });
}

export class Monitoring extends pulumi.ComponentResource {
    readonly topicArn: pulumi.Output<string>;
    readonly dashboardName: pulumi.Output<string>;

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mastodon:monitoring:Monitoring", name, {}, opts);
        const p = { parent: this };
        // CloudWatch can publish to an encrypted topic only with a customer-managed key whose
        // policy lets it; with the AWS-managed SNS key, alarm notifications are silently dropped.
        const account = aws.getCallerIdentityOutput({}, p).accountId;
        const partition = aws.getPartitionOutput({}, p).partition;
        const key = new aws.kms.Key(name, {
            description: "Mastodon alarm topic",
            enableKeyRotation: true,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: pulumi.interpolate`arn:${partition}:iam::${account}:root` }, Action: "kms:*", Resource: "*" },
                    { Sid: "CloudWatchPublishes", Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*" },
                ],
            }),
        }, p);
        const topic = new aws.sns.Topic(name, { kmsMasterKeyId: key.id }, p);
        (args.emails ?? []).forEach((endpoint, i) =>
            new aws.sns.TopicSubscription(`${name}-email-${i}`, { topic: topic.arn, protocol: "email", endpoint }, p));

        for (const a of args.alarms) {
            const percentile = a.statistic.startsWith("p");
            new aws.cloudwatch.MetricAlarm(`${name}-${a.id}`, {
                alarmDescription: `${a.description} Runbook: ${args.runbookBase}/${a.runbook}`,
                namespace: a.namespace,
                metricName: a.metricName,
                dimensions: a.dimensions,
                ...(percentile ? { extendedStatistic: a.statistic } : { statistic: a.statistic }),
                period: a.period,
                evaluationPeriods: a.evaluationPeriods,
                comparisonOperator: a.comparison,
                threshold: a.threshold,
                treatMissingData: a.treatMissingData ?? "notBreaching",
                alarmActions: [topic.arn],
                okActions: [topic.arn],
            }, p);
        }

        const resolvedAlarms = pulumi.all(args.alarms.map(a => pulumi.output(a.dimensions).apply(dimensions => ({ ...a, dimensions }))));
        const resolvedGraphs = pulumi.all((args.graphs ?? []).map(g => pulumi.all(g.metrics.map(m => pulumi.all(m))).apply(metrics => ({ title: g.title, metrics }))));
        const dashboard = new aws.cloudwatch.Dashboard(name, {
            dashboardName: name,
            dashboardBody: pulumi.all([resolvedAlarms, resolvedGraphs]).apply(([alarms, graphs]) => dashboardBody(args.region, alarms, graphs)),
        }, p);

        this.topicArn = topic.arn;
        this.dashboardName = dashboard.dashboardName;
        this.registerOutputs({ topicArn: this.topicArn, dashboardName: this.dashboardName });
    }
}
