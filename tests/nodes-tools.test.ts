// Every file a node runs, as the plan renders it, checked by the real tools: cloud-init's
// schema, systemd-analyze verify and nginx -t.

import { strict as assert } from "assert";
import { existsSync, rmSync } from "fs";
import * as path from "path";
import { parse } from "yaml";
import { NODE_LAYOUT } from "../components/userdata/layout";
import { renderedNodes, RenderedNode, writeRendered } from "../scripts/lib/render";
import { planOf, STACKS } from "./support/plans";
import { relocateNginx, requireTool, run, scratchDir, writeTree } from "./support/tools";

/** Binaries the image provides; their absence on this host is expected. */
const IMAGE_BINARIES = [NODE_LAYOUT.bundle, NODE_LAYOUT.node];

/** The Mastodon units a node enables, as named in its user data's `systemctl enable --now`. */
function enabledUnits(node: RenderedNode): string[] {
    const runcmd = (parse(node.userData) as { runcmd: string[][] }).runcmd;
    const enable = runcmd.find(c => c[0] === "systemctl" && c[1] === "enable") ?? [];
    return enable.filter(u => u.startsWith("mastodon-"));
}

for (const stack of STACKS) {
    describe(`${stack} nodes, checked by the real tools`, () => {
        let nodes: RenderedNode[];
        let dir: string;
        before(async () => {
            nodes = renderedNodes(await planOf(stack));
            dir = scratchDir(`nodes-${stack}-`);
            writeRendered(nodes, dir);
        });
        after(() => rmSync(dir, { recursive: true, force: true }));

        it("has user data that cloud-init's schema accepts", () => {
            requireTool("cloud-init", "cloud-init");
            for (const node of nodes) {
                const r = run("cloud-init", ["schema", "-c", path.join(dir, node.role, "user-data.yaml")]);
                assert.equal(r.code, 0, `${node.role}: ${r.output}`);
                assert.match(r.output, /Valid cloud-config/);
            }
        });

        it("has systemd units that systemd-analyze verifies, the image's binaries aside", () => {
            requireTool("systemd-analyze", "systemd");
            for (const node of nodes) {
                const unitDir = path.join(dir, node.role, "etc/systemd/system");
                const units = ["mastodon-env.service", ...enabledUnits(node).filter(u => u !== "mastodon-env.service")];
                assert.ok(units.length >= 2, `${node.role} enables no app unit`);
                const r = run("systemd-analyze", ["verify", "--man=no", ...units.map(u => path.join(unitDir, u))], { SYSTEMD_UNIT_PATH: `${unitDir}:` });
                // Absent here but there on the node: the image's binaries and the scripts user data writes.
                const provided = [...IMAGE_BINARIES, ...node.files.map(f => f.path)];
                const problems = r.output.split("\n").filter(Boolean)
                    .filter(line => !provided.some(bin => line.endsWith(`Command ${bin} is not executable: No such file or directory`)));
                assert.deepEqual(problems, [], `${node.role}:\n${r.output}`);
            }
        });

        it("has nginx configs that nginx -t accepts", () => {
            requireTool("nginx", "nginx");
            const withNginx = nodes.filter(n => n.files.some(f => f.path === "/etc/nginx/nginx.conf"));
            assert.equal(withNginx.length, 2, "web and streaming run nginx");
            for (const node of withNginx) {
                const root = path.join(dir, node.role, "etc/nginx");
                const conf = node.files.find(f => f.path === "/etc/nginx/nginx.conf")!.content;
                writeTree(root, { "nginx.test.conf": relocateNginx(conf, root), "conf.d/.keep": "", "log/.keep": "" });
                assert.ok(existsSync(path.join(root, "sites-enabled/mastodon")));
                const r = run("nginx", ["-t", "-e", "stderr", "-p", root, "-c", path.join(root, "nginx.test.conf")]);
                assert.equal(r.code, 0, `${node.role}: ${r.output}`);
                assert.match(r.output, /test is successful/);
            }
        });
    });
}
