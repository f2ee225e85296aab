// Prod mirrors the article's own figures: puma WEB_CONCURRENCY=8, Sidekiq -c 40 with
// DB_POOL=40 and 720 threads on default, nginx with 4 workers and the tuned limits, and
// compute-optimized families. Read from what the nodes will actually run.

import { strict as assert } from "assert";
import { INSTANCE_FAMILIES } from "../stacks/catalog";
import { connectionBudget } from "../stacks/connections";
import { renderedNodes, RenderedNode } from "../scripts/lib/render";
import { Plan } from "../scripts/lib/offline";
import { configOf, one, planOf } from "./support/plans";

const fileOf = (node: RenderedNode, path: string): string => {
    const f = node.files.find(x => x.path === path);
    if (!f) throw new Error(`${node.role} writes no ${path}`);
    return f.content;
};

describe("prod follows the article", () => {
    const cfg = configOf("prod");
    let nodes: Record<string, RenderedNode>;
    let plan: Plan;
    before(async () => {
        plan = await planOf("prod");
        nodes = Object.fromEntries(renderedNodes(plan).map(n => [n.role.replace("mastodon-prod-", ""), n]));
    });

    it("runs puma with WEB_CONCURRENCY=8 on web nodes", () => {
        const unit = fileOf(nodes.web, "/etc/systemd/system/mastodon-web.service");
        assert.match(unit, /^Environment=WEB_CONCURRENCY=8$/m);
        assert.match(unit, /^ExecReload=\/bin\/kill -SIGUSR1 \$MAINPID$/m);
    });

    it("tunes nginx as the article does", () => {
        for (const role of ["web", "streaming"]) {
            const conf = fileOf(nodes[role], "/etc/nginx/nginx.conf");
            for (const line of ["worker_processes 4;", "worker_rlimit_nofile 65535;", "worker_connections 8192;", "keepalive_timeout 15;", "server_tokens off;", "sendfile on;", "tcp_nopush on;"]) {
                assert.ok(conf.includes(line), `${role} nginx.conf lacks ${line}`);
            }
            assert.match(conf, /log_format global 'time_iso8601:\$time_iso8601\\t'/);
        }
    });

    it("runs one Sidekiq unit per queue group with -c 40 and DB_POOL=40, 720 threads on default", () => {
        for (const g of cfg.sidekiq) {
            const unit = fileOf(nodes[`sidekiq-${g.name}`], `/etc/systemd/system/mastodon-sidekiq-${g.name}@.service`);
            const threads = Number(/sidekiq -c (\d+)/.exec(unit)![1]);
            assert.equal(Number(/^Environment=DB_POOL=(\d+)$/m.exec(unit)![1]), threads, `${g.name}: DB_POOL must equal -c`);
            assert.deepEqual([...unit.matchAll(/-q ([a-z]+)/g)].map(m => m[1]), g.queues);
        }
        // 720 threads on default, read from what runs: instances at min x processes x -c.
        const unit = fileOf(nodes["sidekiq-default"], "/etc/systemd/system/mastodon-sidekiq-default@.service");
        const threads = Number(/sidekiq -c (\d+)/.exec(unit)![1]);
        const processes = new Set(nodes["sidekiq-default"].userData.match(/mastodon-sidekiq-default@\d+\.service/g)).size;
        const instances = Number(one(plan, "aws:autoscaling/group:Group", "mastodon-prod-sidekiq-default").inputs.minSize);
        assert.equal(threads, 40);
        assert.equal(instances * processes * threads, 720);
    });

    it("launches compute-optimized, non-burstable instances for web and Sidekiq", () => {
        const groups = plan.resources.filter(r => r.type === "aws:autoscaling/group:Group" && !r.name.endsWith("-streaming"));
        for (const g of groups) {
            const types = (g.inputs.mixedInstancesPolicy as { launchTemplate: { overrides: { instanceType: string }[] } }).launchTemplate.overrides.map(o => o.instanceType);
            for (const t of types) {
                const family = t.split(".")[0];
                assert.ok(/^c\d/.test(family), `${g.name} launches ${t}, not compute-optimized`);
                assert.equal(INSTANCE_FAMILIES[family].burstable, false);
            }
        }
    });

    it("has a database class that holds every connection at peak size", () => {
        const b = connectionBudget(cfg);
        assert.ok(b.total <= b.limit, `${b.total} > ${b.limit}`);
        assert.equal(b.limit, 5000);
    });
});
