// Prod mirrors the article's own figures: puma WEB_CONCURRENCY=8, Sidekiq -c 40 with
// DB_POOL=40 and 720 threads on default, nginx with 4 workers and the tuned limits, and
// compute-optimized families. Read from what the nodes will actually run.

import { strict as assert } from "assert";
import { INSTANCE_FAMILIES } from "../stacks/catalog";
import { connectionBudget } from "../stacks/connections";
import { renderedNodes, RenderedNode } from "../scripts/lib/render";
import { configOf, planOf } from "./support/plans";

const fileOf = (node: RenderedNode, path: string): string => {
    const f = node.files.find(x => x.path === path);
    if (!f) throw new Error(`${node.role} writes no ${path}`);
    return f.content;
};

describe("prod follows the article", () => {
    const cfg = configOf("prod");
    let nodes: Record<string, RenderedNode>;
    before(async () => {
        nodes = Object.fromEntries(renderedNodes(await planOf("prod")).map(n => [n.role.replace("mastodon-prod-", ""), n]));
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
        const d = cfg.sidekiq.find(g => g.name === "default")!;
        assert.equal(d.threads, 40);
        assert.equal(d.min * d.processes * d.threads, 720);
        const enabled = nodes["sidekiq-default"].userData.match(/mastodon-sidekiq-default@\d+\.service/g) ?? [];
        assert.equal(new Set(enabled).size, d.processes);
    });

    it("uses compute-optimized, non-burstable families for web and Sidekiq", () => {
        for (const g of [cfg.web, ...cfg.sidekiq]) {
            for (const f of g.families) {
                assert.ok(f.startsWith("c"), `${f} is not compute-optimized`);
                assert.equal(INSTANCE_FAMILIES[f].burstable, false);
            }
        }
    });

    it("has a database class that holds every connection at max size", () => {
        const b = connectionBudget(cfg);
        assert.ok(b.total <= b.limit, `${b.total} > ${b.limit}`);
        assert.equal(b.limit, 5000);
    });
});
