// What the nodes run, rendered by pure functions and checked without mocks.

import { strict as assert } from "assert";
import { parse } from "yaml";
import { renderCloudConfig } from "../components/userdata/cloudInit";
import { NODE_LAYOUT } from "../components/userdata/layout";
import { renderStreamingSite } from "../components/userdata/nginx";
import { NodeContext, sidekiqNode, streamingNode, webNode } from "../components/userdata/roles";
import { renderFetchEnvScript, renderSidekiqUnit } from "../components/userdata/units";
import { cpuCreditsFor } from "../components/tier";
import { DEFAULTS, SidekiqGroupConfig, StreamingConfig, WebConfig } from "../stacks/schema";

const ctx: NodeContext = { stack: "test", region: "ap-northeast-1", ssmPath: "/mastodon/test", vpcCidr: "10.9.0.0/16", layout: NODE_LAYOUT };
const capacity = { families: ["c7i"], size: "xlarge", min: 1, max: 2, onDemandBase: 0, onDemandPercentAboveBase: 0 };
const nginx = { ...DEFAULTS.nginx };
const file = (spec: { files: { path: string; content: string }[] }, path: string) => spec.files.find(f => f.path === path)!.content;

describe("node rendering", () => {
    it("gives each Sidekiq process DB_POOL equal to its threads, a -q per queue, and MALLOC_ARENA_MAX=2", () => {
        const g: SidekiqGroupConfig = { ...capacity, ...DEFAULTS.sidekiq, sharedQueues: [], name: "pushpull", queues: ["push", "pull"], threads: 25, processes: 3 };
        const unit = renderSidekiqUnit(g, NODE_LAYOUT);
        assert.match(unit, /^ExecStart=\/home\/mastodon\/\.rbenv\/shims\/bundle exec sidekiq -c 25 -t 25 -q push,6 -q pull,1$/m, "several queues are weighted, as Mastodon's sidekiq.yml does");
        assert.match(unit, /^Environment=DB_POOL=25$/m);
        assert.match(unit, /^Environment=MALLOC_ARENA_MAX=2$/m);
        assert.match(unit, /^Restart=always$/m);
        const spec = sidekiqNode(ctx, g);
        assert.deepEqual(spec.enable, ["mastodon-env.service", "mastodon-drain.service", "mastodon-sidekiq-pushpull@1.service",
            "mastodon-sidekiq-pushpull@2.service", "mastodon-sidekiq-pushpull@3.service", "mastodon-sidekiq-metrics.timer"]);
    });

    it("runs a lone queue unweighted", () => {
        const g: SidekiqGroupConfig = { ...capacity, ...DEFAULTS.sidekiq, sharedQueues: [], name: "push", queues: ["push"], threads: 40 };
        assert.match(renderSidekiqUnit(g, NODE_LAYOUT), / -q push$/m);
    });

    it("runs N streaming processes on consecutive ports behind a least_conn nginx", () => {
        const s: StreamingConfig = { ...capacity, ...DEFAULTS.streaming, processes: 3, dbPool: 12 };
        const spec = streamingNode(ctx, s, nginx);
        assert.deepEqual(spec.enable.filter(u => u.startsWith("mastodon-streaming@")), ["mastodon-streaming@4000.service", "mastodon-streaming@4001.service", "mastodon-streaming@4002.service"]);
        const unit = file(spec, "/etc/systemd/system/mastodon-streaming@.service");
        assert.match(unit, /^Environment=PORT=%i$/m);
        assert.match(unit, /^Environment=DB_POOL=12$/m);
        assert.match(unit, /^LimitNOFILE=65536$/m);
        assert.match(unit, /^Environment=NODE_EXTRA_CA_CERTS=\/usr\/local\/share\/ca-certificates\/rds-global-bundle\.pem$/m, "node must trust RDS's CA");
        const site = renderStreamingSite(3, ctx.vpcCidr);
        assert.match(site, /least_conn;/);
        assert.deepEqual([...site.matchAll(/server 127\.0\.0\.1:(\d+)/g)].map(m => m[1]), ["4000", "4001", "4002"]);
    });

    it("runs puma with the configured workers and threads, reloading on SIGUSR1", () => {
        const w: WebConfig = { ...capacity, ...DEFAULTS.web, pumaWorkers: 6, pumaThreads: 4 };
        const unit = file(webNode(ctx, w, nginx), "/etc/systemd/system/mastodon-web.service");
        for (const line of ["Environment=RAILS_ENV=production", "Environment=PORT=3000", "Environment=WEB_CONCURRENCY=6", "Environment=MAX_THREADS=4",
            "ExecReload=/bin/kill -SIGUSR1 $MAINPID", "Restart=always", "TimeoutSec=15", "Requires=mastodon-env.service",
            "ProtectSystem=strict", "ReadWritePaths=/home/mastodon/live", "CapabilityBoundingSet=", "NoNewPrivileges=true"]) {
            assert.ok(unit.split("\n").includes(line), `missing ${line}`);
        }
    });

    it("proxies web requests with the client's scheme and address, and the WebSocket upgrade", () => {
        const w: WebConfig = { ...capacity, ...DEFAULTS.web, pumaWorkers: 2, pumaThreads: 5 };
        const site = file(webNode(ctx, w, { ...nginx, clientMaxBodySizeMb: 80 }), "/etc/nginx/sites-enabled/mastodon");
        assert.match(site, /map \$http_upgrade \$connection_upgrade/);
        assert.match(site, /proxy_set_header X-Forwarded-Proto \$forwarded_proto;/);
        assert.match(site, /proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;/);
        assert.match(site, /client_max_body_size 80m;/);
        assert.match(site, /root \/home\/mastodon\/live\/public;/);
        assert.match(site, /set_real_ip_from 10\.9\.0\.0\/16;/);
        // Longer than the ALB's 60 s idle timeout, or the ALB reuses connections nginx closed (502s).
        assert.match(site, /^ {4}keepalive_timeout 75s;$/m);
    });

    it("fetches settings from the stack's SSM path into a 0600 env file owned by the app user", () => {
        const script = renderFetchEnvScript("ap-northeast-1", "/mastodon/test", NODE_LAYOUT);
        assert.match(script, /--path \/mastodon\/test --recursive --with-decryption/);
        assert.match(script, /^umask 077$/m);
        assert.match(script, /^chmod 0600 "\$tmp"$/m);
        assert.match(script, /^chown mastodon:mastodon "\$tmp"$/m);
        assert.match(script, /^mv "\$tmp" \/home\/mastodon\/live\/\.env\.production$/m);
        assert.doesNotMatch(script, /set -x|cat "\$tmp"/, "the script must never print values");
        assert.match(script, /^echo 'S3_PERMISSION=' >> "\$tmp"$/m, "an empty S3_PERMISSION keeps Mastodon from sending ACLs");
    });

    it("assembles a #cloud-config that writes the files and then starts the units", () => {
        const g: SidekiqGroupConfig = { ...capacity, ...DEFAULTS.sidekiq, sharedQueues: [], name: "default", queues: ["default"], threads: 40, processes: 1 };
        const text = renderCloudConfig(sidekiqNode(ctx, g));
        assert.ok(text.startsWith("#cloud-config\n"));
        const doc = parse(text);
        assert.deepEqual(doc.write_files.map((f: { path: string }) => f.path), [
            "/usr/local/sbin/mastodon-fetch-env", "/etc/systemd/system/mastodon-env.service",
            "/usr/local/sbin/mastodon-drain", "/etc/systemd/system/mastodon-drain.service",
            "/etc/systemd/system/mastodon-sidekiq-default@.service", "/usr/local/lib/mastodon/sidekiq-metrics.js",
            "/etc/systemd/system/mastodon-sidekiq-metrics.service", "/etc/systemd/system/mastodon-sidekiq-metrics.timer",
        ]);
        assert.deepEqual(doc.runcmd.at(-1), ["systemctl", "enable", "--now", "mastodon-env.service", "mastodon-drain.service", "mastodon-sidekiq-default@1.service", "mastodon-sidekiq-metrics.timer"]);
    });

    it("gives burstable groups unlimited credits on-demand and AWS's standard mode where they buy spot", () => {
        const t3 = { ...capacity, families: ["t3a", "t3"], size: "medium", min: 1, max: 2 };
        assert.equal(cpuCreditsFor({ ...t3, onDemandBase: 2 }), "unlimited");
        assert.equal(cpuCreditsFor({ ...t3, onDemandPercentAboveBase: 100 }), "unlimited");
        assert.equal(cpuCreditsFor({ ...t3, onDemandBase: 1 }), "standard");
        assert.equal(cpuCreditsFor(capacity), undefined, "fixed-performance families take no credit setting");
    });
});
