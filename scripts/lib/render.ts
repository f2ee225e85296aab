// Writes what each node will run, read back from the planned launch templates' user data, so
// a reviewer reads exactly the bytes an instance gets.

import { mkdirSync, writeFileSync } from "fs";
import * as path from "path";
import { parse } from "yaml";
import { Plan } from "./offline";

export interface RenderedNode {
    /** The launch template's name (one per role or Sidekiq group). */
    role: string;
    /** The decoded #cloud-config document. */
    userData: string;
    /** The files cloud-init writes, by absolute path. */
    files: { path: string; content: string }[];
}

/** Decodes every launch template's user data in a plan. */
export function renderedNodes(plan: Plan): RenderedNode[] {
    return plan.resources
        .filter(r => r.type === "aws:ec2/launchTemplate:LaunchTemplate")
        .map(r => {
            const userData = Buffer.from(String(r.inputs.userData), "base64").toString("utf8");
            const doc = parse(userData) as { write_files?: { path: string; content: string }[] };
            return { role: r.name, userData, files: (doc.write_files ?? []).map(f => ({ path: f.path, content: f.content })) };
        });
}

/** Writes DIR/<role>/user-data.yaml and DIR/<role>/<absolute path> for every file. */
export function writeRendered(nodes: RenderedNode[], dir: string): string[] {
    const written: string[] = [];
    for (const node of nodes) {
        const root = path.join(dir, node.role);
        for (const f of [{ path: "/user-data.yaml", content: node.userData }, ...node.files]) {
            const target = path.join(root, f.path);
            mkdirSync(path.dirname(target), { recursive: true });
            writeFileSync(target, f.content);
            written.push(target);
        }
    }
    return written;
}
