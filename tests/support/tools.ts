// Helpers for the checks that use real Debian tools (nginx, systemd-analyze, cloud-init).
// .ci/run installs them; a machine without them fails these tests with the install hint
// rather than skipping them.

import { spawnSync } from "child_process";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";

export function requireTool(binary: string, debianPackage: string): void {
    const r = spawnSync("sh", ["-c", `command -v ${binary}`]);
    if (r.status !== 0) throw new Error(`${binary} is not installed: apt-get install ${debianPackage} (or run .ci/run)`);
}

export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): { code: number | null; output: string } {
    const r = spawnSync(cmd, args, { encoding: "utf8", env: { ...process.env, ...env } });
    return { code: r.status, output: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

/** A scratch directory nginx's workers (www-data) can traverse. */
export function scratchDir(prefix: string): string {
    const dir = mkdtempSync(path.join(tmpdir(), prefix));
    chmodSync(dir, 0o755);
    return dir;
}

/** Writes files (relative path -> content) under a directory. */
export function writeTree(dir: string, files: Record<string, string>): void {
    for (const [rel, content] of Object.entries(files)) {
        const target = path.join(dir, rel);
        mkdirSync(path.dirname(target), { recursive: true });
        writeFileSync(target, content);
    }
}

/** Replaces `from` with `to` and insists it was there, so a renamed path cannot make a check vacuous. */
export function swap(text: string, from: string | RegExp, to: string): string {
    const out = text.replace(typeof from === "string" ? new RegExp(from.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"), "g") : from, to);
    if (out === text) throw new Error(`expected ${from} in the rendered text`);
    return out;
}

/** Points a rendered nginx.conf at a scratch prefix instead of /etc/nginx, /var/log and /run. */
export function relocateNginx(conf: string, dir: string): string {
    let out = swap(conf, "include /etc/nginx/sites-enabled/*;", `include ${dir}/sites-enabled/*;`);
    out = swap(out, "include /etc/nginx/conf.d/*.conf;", `include ${dir}/conf.d/*.conf;`);
    out = swap(out, "/var/log/nginx/", `${dir}/log/`);
    return swap(out, "pid /run/nginx.pid;", `pid ${dir}/nginx.pid;`);
}
