// A real nginx on loopback running the rendered web and streaming configs of prod, in front of
// stub puma and streaming servers, behind a stand-in for the ALB built from the planned
// listener rule. A plain request must reach puma; a WebSocket upgrade on /api/v1/streaming
// must reach a streaming process. Everything started here is stopped here.

import { strict as assert } from "assert";
import { ChildProcess, spawn } from "child_process";
import { rmSync } from "fs";
import * as http from "http";
import { AddressInfo, Socket } from "net";
import * as path from "path";
import { PUMA_PORT, streamingPorts } from "../components/userdata/layout";
import { renderedNodes, RenderedNode } from "../scripts/lib/render";
import { configOf, one, planOf } from "./support/plans";
import { relocateNginx, requireTool, scratchDir, swap, writeTree } from "./support/tools";

const HOST = "127.0.0.1";
const DOMAIN = "social.example.org";

/** A free loopback port (closed again before nginx binds it). */
async function freePort(): Promise<number> {
    const s = http.createServer();
    await new Promise<void>(r => s.listen(0, HOST, r));
    const port = (s.address() as AddressInfo).port;
    await new Promise(r => s.close(r));
    return port;
}

/** Upgraded sockets leave their server's bookkeeping; these are closed by hand at the end. */
const tunnels: Socket[] = [];

/** A stub upstream that names itself, echoes what it was told, and accepts WebSocket upgrades. */
async function stub(name: string): Promise<{ server: http.Server; port: number }> {
    const server = http.createServer((req, res) => {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ stub: name, url: req.url, host: req.headers.host, proto: req.headers["x-forwarded-proto"], forwardedFor: req.headers["x-forwarded-for"] }));
    });
    server.on("upgrade", (_req, socket: Socket) => {
        tunnels.push(socket);
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nX-Stub: ${name}\r\n\r\n`);
        socket.on("data", d => socket.write(d)); // echo, so the tunnel is seen to carry bytes both ways
        socket.on("error", () => undefined);
    });
    await new Promise<void>(r => server.listen(0, HOST, r));
    return { server, port: (server.address() as AddressInfo).port };
}

function get(port: number, urlPath: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
    return new Promise((resolve, reject) => {
        http.get({ host: HOST, port, path: urlPath, headers: { host: DOMAIN } }, res => {
            let body = "";
            res.on("data", c => (body += c));
            res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
        }).on("error", reject);
    });
}

/** Opens a WebSocket-style upgrade; resolves with the stub that answered and the open socket. */
function upgrade(port: number, urlPath: string): Promise<{ stub: string; socket: Socket }> {
    return new Promise((resolve, reject) => {
        const req = http.request({ host: HOST, port, path: urlPath, headers: {
            host: DOMAIN, connection: "Upgrade", upgrade: "websocket", "sec-websocket-version": "13", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
        } });
        req.on("upgrade", (res, socket) => resolve({ stub: String(res.headers["x-stub"]), socket }));
        req.on("response", res => reject(new Error(`no upgrade: HTTP ${res.statusCode}`)));
        req.on("error", reject);
        req.end();
    });
}

/** nginx server block that routes like the planned ALB listener: rule paths to streaming, the rest to web. */
function albStandIn(port: number, streamingPaths: string[], webPort: number, streamingNodePort: number): string {
    const locations = streamingPaths.map(p => p.endsWith("/*") ? `location ^~ ${p.slice(0, -1)}` : `location = ${p}`);
    const forward = (to: number) => `{
        proxy_pass http://${HOST}:${to};
        proxy_http_version 1.1;
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-Proto https;
        proxy_set_header X-Forwarded-For $remote_addr;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
    }`;
    return `server {
    listen ${HOST}:${port};
${locations.map(l => `    ${l} ${forward(streamingNodePort)}`).join("\n")}
    location / ${forward(webPort)}
}
`;
}

describe("prod's rendered nginx, live on loopback", () => {
    const cfg = configOf("prod");
    const stubs: http.Server[] = [];
    const nginx: ChildProcess[] = [];
    const sockets: Socket[] = [];
    let dir: string;
    let alb: number;

    let streamingNode: number;

    /** Starts nginx with a rendered node's configs, its listen and upstream ports moved to free ones. */
    async function startNode(node: RenderedNode, listen: number, ports: Record<number, number>, extra: Record<string, string>): Promise<void> {
        const root = path.join(dir, node.role);
        let site = node.files.find(f => f.path === "/etc/nginx/sites-enabled/mastodon")!.content;
        site = swap(site, "    listen [::]:80 default_server;\n", "");
        site = swap(site, "listen 80 default_server;", `listen ${HOST}:${listen} default_server;`);
        for (const [from, to] of Object.entries(ports)) site = swap(site, `server 127.0.0.1:${from} `, `server 127.0.0.1:${to} `);
        const conf = relocateNginx(node.files.find(f => f.path === "/etc/nginx/nginx.conf")!.content, root);
        writeTree(root, { "nginx.conf": conf, "sites-enabled/mastodon": site, "log/.keep": "", "conf.d/.keep": "", ...extra });
        const proc = spawn("nginx", ["-e", "stderr", "-p", root, "-c", path.join(root, "nginx.conf"), "-g", "daemon off;"], { stdio: ["ignore", "ignore", "pipe"] });
        nginx.push(proc);
        let stderr = "";
        proc.stderr!.on("data", d => (stderr += d));
        for (let i = 0; i < 50; i++) {
            if (proc.exitCode !== null) throw new Error(`nginx for ${node.role} exited: ${stderr}`);
            if (await get(listen, "/__up").then(() => true, () => false)) return;
            await new Promise(r => setTimeout(r, 100));
        }
        throw new Error(`nginx for ${node.role} did not start: ${stderr}`);
    }

    before(async () => {
        requireTool("nginx", "nginx");
        const plan = await planOf("prod");
        const nodes = Object.fromEntries(renderedNodes(plan).map(n => [n.role, n]));
        dir = scratchDir("nginx-live-");

        const puma = await stub("puma");
        const streams = await Promise.all(streamingPorts(cfg.streaming.processes).map(p => stub(`streaming-${p}`)));
        stubs.push(puma.server, ...streams.map(s => s.server));

        const rule = one(plan, "aws:lb/listenerRule:ListenerRule", "mastodon-prod-streaming").inputs;
        const paths = (rule.conditions as { pathPattern: { values: string[] } }[])[0].pathPattern.values;
        const webNode = await freePort();
        streamingNode = await freePort();
        alb = await freePort();
        await startNode(nodes["mastodon-prod-streaming"], streamingNode,
            Object.fromEntries(streamingPorts(cfg.streaming.processes).map((p, i) => [p, streams[i].port])), {});
        // The ALB stand-in rides in the web node's nginx: the rendered main config includes conf.d.
        await startNode(nodes["mastodon-prod-web"], webNode, { [PUMA_PORT]: puma.port },
            { "conf.d/alb.conf": albStandIn(alb, paths, webNode, streamingNode) });
    });

    after(async () => {
        for (const s of [...sockets, ...tunnels]) s.destroy();
        for (const p of nginx) p.kill("SIGTERM");
        await Promise.all(nginx.map(p => (p.exitCode !== null ? undefined : new Promise(r => p.once("exit", r)))));
        await Promise.all(stubs.map(s => new Promise(r => { s.closeAllConnections(); s.close(r); })));
        // Set up only partly when a tool is missing: the setup's own error says which.
        if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("sends a plain request to puma, with the client's scheme and host", async () => {
        const r = await get(alb, "/@alice");
        assert.equal(r.status, 200);
        const seen = JSON.parse(r.body);
        assert.equal(seen.stub, "puma");
        assert.equal(seen.proto, "https");
        assert.equal(seen.host, DOMAIN);
        assert.equal(r.headers.server, "nginx", "server_tokens off hides the version");
    });

    it("upgrades /api/v1/streaming to a WebSocket on a streaming process, and carries bytes both ways", async () => {
        const { stub: name, socket } = await upgrade(alb, "/api/v1/streaming?stream=public");
        sockets.push(socket);
        assert.match(name, /^streaming-\d+$/);
        const echoed = await new Promise<string>(resolve => { socket.once("data", d => resolve(String(d))); socket.write("ping"); });
        assert.equal(echoed, "ping");
    });

    it("answers the streaming health check from a streaming process and web's from puma", async () => {
        const health = await get(alb, "/api/v1/streaming/health");
        assert.match(JSON.parse(health.body).stub, /^streaming-/);
        assert.equal(JSON.parse((await get(alb, "/health")).body).stub, "puma");
    });

    it("sends a new WebSocket to the streaming process with the fewest (least_conn)", async () => {
        const open = async () => { const o = await upgrade(streamingNode, "/api/v1/streaming"); sockets.push(o.socket); return o; };
        const held: { stub: string; socket: Socket }[] = [];
        for (let i = 0; i < cfg.streaming.processes * 2; i++) held.push(await open());
        assert.equal(new Set(held.map(o => o.stub)).size, cfg.streaming.processes, "two on each process");
        // Empty the first socket's process. Round-robin would send the next two to it and its
        // neighbour; least_conn sends both to the emptied one.
        const emptied = held[0].stub;
        for (const o of held.filter(x => x.stub === emptied)) o.socket.destroy();
        await new Promise(r => setTimeout(r, 300));
        const next = [await open(), await open()];
        assert.deepEqual(next.map(o => o.stub), [emptied, emptied]);
    });
});
