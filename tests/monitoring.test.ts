// Every group scales on its own signal and holds terminating instances for their drain; every
// alarm the operators rely on exists, goes to the topic, and links a runbook that exists.

import { strict as assert } from "assert";
import { existsSync } from "fs";
import * as path from "path";
import { DRAIN_HOOK, hookHeartbeatSeconds } from "../components/userdata/drain";
import { DRAIN_SECONDS } from "../components/userdata/roles";
import { SIDEKIQ_NAMESPACE } from "../components/userdata/units";
import { connectionBudget } from "../stacks/connections";
import { roleGroups } from "../stacks/roles";
import { Plan } from "../scripts/lib/offline";
import { PROJECT_DIR } from "../scripts/lib/stackFile";
import { configOf, ofType, one, planOf, STACKS } from "./support/plans";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const publisher = require("../components/userdata/files/sidekiq-metrics.js") as { NAMESPACE: string };

type Raw = Record<string, unknown>;
const alarms = (plan: Plan) => Object.fromEntries(ofType(plan, "aws:cloudwatch/metricAlarm:MetricAlarm").map(a => [a.name.replace(`mastodon-${plan.stack}-`, ""), a.inputs]));

for (const stack of STACKS) {
    describe(`monitoring and scaling of ${stack}`, () => {
        const cfg = configOf(stack);
        let plan: Plan;
        before(async () => { plan = await planOf(stack); });

        it("scales web and streaming on CPU and each Sidekiq group on its own queue latency", () => {
            for (const tier of ["web", "streaming"] as const) {
                const tt = one(plan, "aws:autoscaling/policy:Policy", `mastodon-${stack}-${tier}`).inputs.targetTrackingConfiguration as Raw;
                assert.deepEqual(tt.predefinedMetricSpecification, { predefinedMetricType: "ASGAverageCPUUtilization" });
                assert.equal(tt.targetValue, cfg[tier].targetCpuPercent);
            }
            for (const g of cfg.sidekiq) {
                const tt = one(plan, "aws:autoscaling/policy:Policy", `mastodon-${stack}-sidekiq-${g.name}`).inputs.targetTrackingConfiguration as Raw;
                assert.deepEqual(tt.customizedMetricSpecification, {
                    namespace: SIDEKIQ_NAMESPACE, metricName: "QueueLatency", statistic: "Maximum",
                    metricDimensions: [{ name: "Stack", value: stack }, { name: "QueueGroup", value: g.name }],
                });
                assert.equal(tt.targetValue, g.targetLatencySeconds);
            }
            assert.equal(publisher.NAMESPACE, SIDEKIQ_NAMESPACE, "the publisher writes where the policies read");
        });

        it("holds every terminating instance for its drain with a lifecycle hook", () => {
            for (const { role } of roleGroups(cfg)) {
                const hook = one(plan, "aws:autoscaling/lifecycleHook:LifecycleHook", `mastodon-${stack}-${role}`).inputs;
                assert.equal(hook.name, DRAIN_HOOK);
                assert.equal(hook.lifecycleTransition, "autoscaling:EC2_INSTANCE_TERMINATING");
                assert.equal(hook.defaultResult, "CONTINUE");
                const drain = cfg.sidekiq.find(g => `sidekiq-${g.name}` === role)?.drainSeconds ?? DRAIN_SECONDS[role as "web" | "streaming"];
                assert.equal(hook.heartbeatTimeout, hookHeartbeatSeconds(drain));
            }
        });

        it("alarms on the database, the load balancer, Redis, and each Sidekiq group's latency", () => {
            const a = alarms(plan);
            const expected = [
                "db-connections", "db-cpu", "db-free-storage", "http-5xx-elb", "http-5xx-target", "web-response-time",
                "unhealthy-hosts-web", "unhealthy-hosts-streaming",
                ...[...Array(1 + cfg.cache.replicas).keys()].flatMap(i => [`cache-${i + 1}-memory`, `cache-${i + 1}-evictions`, `cache-${i + 1}-cpu`]),
                ...cfg.sidekiq.map(g => `sidekiq-latency-${g.name}`),
            ];
            for (const id of expected) assert.ok(a[id], `no ${id} alarm`);
            assert.equal(a["db-connections"].threshold, Math.floor(connectionBudget(cfg).limit * cfg.alerts.dbConnectionsPercent / 100));
            assert.equal(a["web-response-time"].extendedStatistic, "p95");
            for (const g of cfg.sidekiq) {
                const l = a[`sidekiq-latency-${g.name}`];
                assert.equal(l.threshold, g.alarmLatencySeconds);
                assert.equal(l.treatMissingData, "breaching", "a silent publisher must alarm too");
            }
        });

        it("sends every alarm to the topic and links a runbook that exists", () => {
            const topic = `arn:aws:sns:${cfg.region}:123456789012:mastodon-${stack}`;
            for (const [id, a] of Object.entries(alarms(plan))) {
                assert.deepEqual(a.alarmActions, [topic], id);
                const runbook = /Runbook: (docs\/runbooks\/[a-z0-9-]+\.md)$/.exec(String(a.alarmDescription)); // the default base
                assert.ok(runbook, `${id} links no runbook`);
                assert.ok(existsSync(path.join(PROJECT_DIR, runbook[1])), `${runbook[1]} is missing`);
            }
        });

        it("has one dashboard with a graph per alarm and the instances of every group", () => {
            const body = JSON.parse(String(one(plan, "aws:cloudwatch/dashboard:Dashboard", `mastodon-${stack}`).inputs.dashboardBody));
            const titles = body.widgets.map((w: { properties: { title: string } }) => w.properties.title);
            for (const id of Object.keys(alarms(plan))) assert.ok(titles.includes(id), `no graph for ${id}`);
            const instances = body.widgets.find((w: { properties: { title: string } }) => w.properties.title === "instances in service per group");
            assert.equal(instances.properties.metrics.length, roleGroups(cfg).length);
        });
    });
}
