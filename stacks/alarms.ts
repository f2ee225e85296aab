// What the operators hear about, before the users do: every alarm of an environment, as plain
// specs built from config (thresholds) and the resources' identifiers. Monitoring creates them.

import type { Input } from "@pulumi/pulumi";
import type { AlarmSpec } from "../components/monitoring";
import { SIDEKIQ_NAMESPACE } from "../components/userdata/units";
import { isBurstable, isBurstableClass } from "./catalog";
import { connectionBudget } from "./connections";
import { roleGroups } from "./roles";
import { EnvironmentConfig } from "./schema";

/** The CloudWatch identity of each thing alarmed on. */
export interface AlarmTargets {
    /** RDS DBInstanceIdentifier. */
    databaseId: Input<string>;
    /** ElastiCache CacheClusterId of each node. */
    cacheNodeIds: Input<string>[];
    /** The ALB's ARN suffix (app/<name>/<id>). */
    albArnSuffix: Input<string>;
    /** Target group ARN suffixes of web and streaming. */
    targetGroups: Record<"web" | "streaming", Input<string>>;
    /** Autoscaling group name per role (web, streaming, sidekiq-<group>). */
    groupNames: Record<string, Input<string>>;
}

const GiB = 1024 ** 3;

export function alarmSpecs(cfg: EnvironmentConfig, t: AlarmTargets): AlarmSpec[] {
    const a = cfg.alerts;
    const db = { DBInstanceIdentifier: t.databaseId };
    const lb = { LoadBalancer: t.albArnSuffix };
    const specs: AlarmSpec[] = [
        {
            id: "db-connections", runbook: "db-connections.md",
            description: `PostgreSQL connections are above ${a.dbConnectionsPercent}% of max_connections; new ones will soon be refused.`,
            namespace: "AWS/RDS", metricName: "DatabaseConnections", dimensions: db, statistic: "Maximum", period: 60, evaluationPeriods: 5,
            comparison: "GreaterThanThreshold", threshold: Math.floor((connectionBudget(cfg).limit * a.dbConnectionsPercent) / 100),
        },
        {
            id: "db-cpu", runbook: "db-cpu.md", description: `Database CPU is above ${a.dbCpuPercent}%.`,
            namespace: "AWS/RDS", metricName: "CPUUtilization", dimensions: db, statistic: "Average", period: 300, evaluationPeriods: 3,
            comparison: "GreaterThanThreshold", threshold: a.dbCpuPercent,
        },
        {
            // Storage autoscaling grows the volume at 10% free; this fires only if it cannot keep up or hit maxStorageGb.
            id: "db-free-storage", runbook: "db-storage.md",
            description: `Database free storage is below ${Math.floor((cfg.database.storageGb * a.dbFreeStoragePercent) / 100)} GiB (${a.dbFreeStoragePercent}% of the initial ${cfg.database.storageGb} GiB); storage autoscaling is not keeping up or reached maxStorageGb.`,
            namespace: "AWS/RDS", metricName: "FreeStorageSpace", dimensions: db, statistic: "Minimum", period: 300, evaluationPeriods: 1,
            comparison: "LessThanThreshold", threshold: Math.floor((cfg.database.storageGb * GiB * a.dbFreeStoragePercent) / 100),
        },
        ...(["ELB", "Target"] as const).map((source): AlarmSpec => ({
            id: `http-5xx-${source.toLowerCase()}`, runbook: "http-5xx.md",
            description: `More than ${a.http5xxPer5Minutes} 5xx responses from the ${source === "ELB" ? "load balancer" : "web and streaming nodes"} in 5 minutes.`,
            namespace: "AWS/ApplicationELB", metricName: `HTTPCode_${source}_5XX_Count`, dimensions: lb, statistic: "Sum", period: 300, evaluationPeriods: 1,
            comparison: "GreaterThanThreshold", threshold: a.http5xxPer5Minutes,
        })),
        {
            id: "web-response-time", runbook: "response-time.md", description: `p95 response time of web is above ${a.responseTimeP95Seconds} s.`,
            namespace: "AWS/ApplicationELB", metricName: "TargetResponseTime", dimensions: { ...lb, TargetGroup: t.targetGroups.web },
            statistic: "p95", period: 300, evaluationPeriods: 3, comparison: "GreaterThanThreshold", threshold: a.responseTimeP95Seconds,
        },
        ...(["web", "streaming"] as const).map((tier): AlarmSpec => ({
            id: `unhealthy-hosts-${tier}`, runbook: "unhealthy-hosts.md", description: `The ALB sees unhealthy ${tier} instances.`,
            namespace: "AWS/ApplicationELB", metricName: "UnHealthyHostCount", dimensions: { ...lb, TargetGroup: t.targetGroups[tier] },
            statistic: "Maximum", period: 60, evaluationPeriods: 5, comparison: "GreaterThanThreshold", threshold: 0,
        })),
        ...t.cacheNodeIds.flatMap((id, i): AlarmSpec[] => {
            const node = { CacheClusterId: id };
            const n = `cache-${i + 1}`;
            return [
                {
                    id: `${n}-memory`, runbook: "redis-memory.md", description: `Redis node ${i + 1} memory is above ${a.redisMemoryPercent}%; with noeviction, writes (and Sidekiq enqueues) fail when it is full.`,
                    namespace: "AWS/ElastiCache", metricName: "DatabaseMemoryUsagePercentage", dimensions: node, statistic: "Maximum", period: 300, evaluationPeriods: 1,
                    comparison: "GreaterThanThreshold", threshold: a.redisMemoryPercent,
                },
                {
                    id: `${n}-evictions`, runbook: "redis-evictions.md", description: `Redis node ${i + 1} evicted keys; Sidekiq's queues must never be evicted.`,
                    namespace: "AWS/ElastiCache", metricName: "Evictions", dimensions: node, statistic: "Sum", period: 300, evaluationPeriods: 1,
                    comparison: "GreaterThanThreshold", threshold: 0,
                },
                {
                    id: `${n}-cpu`, runbook: "redis-cpu.md", description: `Redis node ${i + 1} engine CPU is above ${a.redisCpuPercent}%.`,
                    namespace: "AWS/ElastiCache", metricName: "EngineCPUUtilization", dimensions: node, statistic: "Average", period: 300, evaluationPeriods: 3,
                    comparison: "GreaterThanThreshold", threshold: a.redisCpuPercent,
                },
            ];
        }),
        ...cfg.sidekiq.map((g): AlarmSpec => ({
            id: `sidekiq-latency-${g.name}`, runbook: "sidekiq-latency.md",
            description: `The oldest job in Sidekiq group ${g.name} (${g.queues.join(", ")}) has waited over ${g.alarmLatencySeconds} s; no data means the publisher on its nodes stopped.`,
            namespace: SIDEKIQ_NAMESPACE, metricName: "QueueLatency", dimensions: { Stack: cfg.stack, QueueGroup: g.name }, statistic: "Maximum",
            period: 60, evaluationPeriods: 5, comparison: "GreaterThanThreshold", threshold: g.alarmLatencySeconds, treatMissingData: "breaching",
        })),
    ];
    // CPU credits, wherever burstable capacity runs (the article's t2 collapse).
    const credits = (id: string, namespace: string, dimensions: Record<string, Input<string>>): AlarmSpec => ({
        id: `cpu-credits-${id}`, runbook: "cpu-credit-balance.md", description: `${id} is running out of CPU credits and will be throttled to its baseline.`,
        namespace, metricName: "CPUCreditBalance", dimensions, statistic: "Minimum", period: 300, evaluationPeriods: 3,
        comparison: "LessThanThreshold", threshold: a.cpuCreditBalanceMin,
    });
    for (const { role, capacity } of roleGroups(cfg)) {
        if (isBurstable(capacity.families)) specs.push(credits(role, "AWS/EC2", { AutoScalingGroupName: t.groupNames[role] }));
    }
    if (isBurstableClass(cfg.database.instanceClass)) specs.push(credits("database", "AWS/RDS", db));
    if (isBurstableClass(cfg.cache.nodeType)) t.cacheNodeIds.forEach((id, i) => specs.push(credits(`cache-${i + 1}`, "AWS/ElastiCache", { CacheClusterId: id })));
    return specs;
}
