// What each role's instances run, as a NodeSpec: the files and units of web, streaming and
// one Sidekiq queue group. Pure functions of config, tested without mocks.

import { existsSync, readFileSync } from "fs";
import * as path from "path";
import { NginxConfig, SidekiqGroupConfig, StreamingConfig, WebConfig } from "../../stacks/schema";
import { NodeFile, NodeSpec } from "./cloudInit";
import { Layout, streamingPorts } from "./layout";
import { renderNginxMain, renderStreamingSite, renderWebSite } from "./nginx";
import { DrainPlan, renderDrainScript, renderDrainUnit } from "./drain";
import {
    METRICS_SCRIPT, renderEnvUnit, renderFetchEnvScript, renderMetricsService, renderMetricsTimer, renderSidekiqUnit,
    renderStreamingUnit, renderWebUnit, sidekiqUnitName,
} from "./units";

/** What every role needs to find its settings. */
export interface NodeContext {
    /** Stack name, a dimension of the metrics nodes publish. */
    stack: string;
    /** AWS region of the SSM parameters. */
    region: string;
    /** SSM path of the stack's settings, e.g. /mastodon/prod. */
    ssmPath: string;
    /** VPC CIDR: the ALB's addresses, trusted for X-Forwarded-For. */
    vpcCidr: string;
    /** Paths on the node. */
    layout: Layout;
}

const UNIT_DIR = "/etc/systemd/system";

/** What every node runs: the settings fetcher and the drain watcher. */
function baseFiles(ctx: NodeContext, drain: Omit<DrainPlan, "region">): NodeFile[] {
    return [
        { path: "/usr/local/sbin/mastodon-fetch-env", content: renderFetchEnvScript(ctx.region, ctx.ssmPath, ctx.layout), permissions: "0755" },
        { path: `${UNIT_DIR}/mastodon-env.service`, content: renderEnvUnit(), permissions: "0644" },
        { path: "/usr/local/sbin/mastodon-drain", content: renderDrainScript({ ...drain, region: ctx.region }), permissions: "0755" },
        { path: `${UNIT_DIR}/mastodon-drain.service`, content: renderDrainUnit(), permissions: "0644" },
    ];
}

/** The metric publisher's source, shipped as is (it is also what the tests run). Found from sources or bin/. */
const METRICS_SOURCE = readFileSync(
    [path.join(__dirname, "files"), path.resolve(__dirname, "../../../components/userdata/files")]
        .map(dir => path.join(dir, "sidekiq-metrics.js")).find(existsSync)!, "utf8");

/**
 * Seconds web and streaming nodes wait, out of their target group, before stopping: the target
 * groups' deregistration delays (LoadBalancer), with streaming's capped to fit a spot notice.
 */
export const DRAIN_SECONDS = { web: 30, streaming: 90 } as const;

function nginxFiles(ctx: NodeContext, nginx: NginxConfig, site: string): NodeFile[] {
    return [
        { path: `${ctx.layout.nginxDir}/nginx.conf`, content: renderNginxMain(nginx, ctx.layout), permissions: "0644" },
        { path: `${ctx.layout.nginxDir}/sites-enabled/mastodon`, content: site, permissions: "0644" },
    ];
}

/** The distro's default site would claim default_server on port 80. */
const REMOVE_DEFAULT_SITE = ["rm", "-f", "/etc/nginx/sites-enabled/default"];

export function webNode(ctx: NodeContext, web: WebConfig, nginx: NginxConfig): NodeSpec {
    return {
        files: [
            ...baseFiles(ctx, { kind: "http", waitSeconds: DRAIN_SECONDS.web, units: "mastodon-web.service" }),
            { path: `${UNIT_DIR}/mastodon-web.service`, content: renderWebUnit(web, ctx.layout), permissions: "0644" },
            ...nginxFiles(ctx, nginx, renderWebSite(nginx, ctx.layout, ctx.vpcCidr)),
        ],
        prepare: [REMOVE_DEFAULT_SITE],
        enable: ["mastodon-env.service", "mastodon-drain.service", "mastodon-web.service", "nginx.service"],
    };
}

export function streamingNode(ctx: NodeContext, streaming: StreamingConfig, nginx: NginxConfig): NodeSpec {
    return {
        files: [
            ...baseFiles(ctx, { kind: "http", waitSeconds: DRAIN_SECONDS.streaming, units: "mastodon-streaming@*" }),
            { path: `${UNIT_DIR}/mastodon-streaming@.service`, content: renderStreamingUnit(streaming, ctx.layout), permissions: "0644" },
            ...nginxFiles(ctx, nginx, renderStreamingSite(streaming.processes, ctx.vpcCidr)),
        ],
        prepare: [REMOVE_DEFAULT_SITE],
        enable: ["mastodon-env.service", "mastodon-drain.service", ...streamingPorts(streaming.processes).map(port => `mastodon-streaming@${port}.service`), "nginx.service"],
    };
}

export function sidekiqNode(ctx: NodeContext, group: SidekiqGroupConfig): NodeSpec {
    const template = sidekiqUnitName(group.name);
    const processes = [...Array(group.processes).keys()].map(i => template.replace("@", `@${i + 1}`));
    return {
        files: [
            ...baseFiles(ctx, { kind: "sidekiq", waitSeconds: group.drainSeconds, units: `mastodon-sidekiq-${group.name}@*` }),
            { path: `${UNIT_DIR}/${template}`, content: renderSidekiqUnit(group, ctx.layout), permissions: "0644" },
            { path: METRICS_SCRIPT, content: METRICS_SOURCE, permissions: "0755" },
            { path: `${UNIT_DIR}/mastodon-sidekiq-metrics.service`, content: renderMetricsService(ctx.stack, ctx.region, group, ctx.layout), permissions: "0644" },
            { path: `${UNIT_DIR}/mastodon-sidekiq-metrics.timer`, content: renderMetricsTimer(), permissions: "0644" },
        ],
        enable: ["mastodon-env.service", "mastodon-drain.service", ...processes, "mastodon-sidekiq-metrics.timer"],
    };
}
