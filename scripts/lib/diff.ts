// The difference between two offline plans: which resources a config change creates, deletes
// or updates, and for each update every input that changes, old -> new. User data is decoded
// so a reviewer sees the changed lines of the rendered files, not two base64 blobs.

import { Plan, PlannedResource } from "./offline";

export interface InputChange {
    /** Dotted input path, e.g. mixedInstancesPolicy.launchTemplate.overrides[0].instanceType. */
    path: string;
    before?: string;
    after?: string;
}

export interface ResourceChange {
    kind: "create" | "delete" | "update";
    type: string;
    name: string;
    /** For updates: the inputs that differ. */
    inputs: InputChange[];
}

/** Every scalar input as path -> text, user data decoded to one entry per line. */
export function inputPaths(inputs: Record<string, unknown>): Map<string, string> {
    const out = new Map<string, string>();
    const walk = (value: unknown, path: string) => {
        if (path === "userData" && typeof value === "string") {
            Buffer.from(value, "base64").toString("utf8").split("\n").forEach((line, i) => out.set(`userData:${String(i + 1).padStart(4, "0")}`, line));
        } else if (Array.isArray(value)) {
            value.forEach((v, i) => walk(v, `${path}[${i}]`));
        } else if (value && typeof value === "object") {
            for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k);
        } else if (value !== undefined && value !== null) {
            out.set(path, String(value));
        }
    };
    walk(inputs, "");
    return out;
}

/** The items of xs left after taking out one of each item of ys. */
function minus(xs: string[], ys: string[]): string[] {
    const left = new Map<string, number>();
    for (const y of ys) left.set(y, (left.get(y) ?? 0) + 1);
    return xs.filter(x => {
        const n = left.get(x) ?? 0;
        if (n > 0) left.set(x, n - 1);
        return n === 0;
    });
}

/** User data changes as lines only one side has, not as line-number pairs. */
function userDataChanges(before: Map<string, string>, after: Map<string, string>): InputChange[] {
    const lines = (m: Map<string, string>) => [...m].filter(([k]) => k.startsWith("userData:")).map(([, v]) => v);
    const [a, b] = [lines(before), lines(after)];
    return [...minus(a, b).map(line => ({ path: "userData", before: line })), ...minus(b, a).map(line => ({ path: "userData", after: line }))];
}

export function diffResource(a: PlannedResource, b: PlannedResource): InputChange[] {
    const [pa, pb] = [inputPaths(a.inputs), inputPaths(b.inputs)];
    const changes: InputChange[] = [];
    for (const path of new Set([...pa.keys(), ...pb.keys()])) {
        if (path.startsWith("userData:")) continue;
        if (pa.get(path) !== pb.get(path)) changes.push({ path, before: pa.get(path), after: pb.get(path) });
    }
    return [...changes, ...userDataChanges(pa, pb)];
}

const keyOf = (r: PlannedResource) => `${r.type}::${r.name}`;

export function diffPlans(before: Plan, after: Plan): ResourceChange[] {
    const a = new Map(before.resources.map(r => [keyOf(r), r]));
    const b = new Map(after.resources.map(r => [keyOf(r), r]));
    const changes: ResourceChange[] = [];
    for (const [k, r] of a) {
        const other = b.get(k);
        if (!other) changes.push({ kind: "delete", type: r.type, name: r.name, inputs: [] });
        else {
            const inputs = diffResource(r, other);
            if (inputs.length > 0) changes.push({ kind: "update", type: r.type, name: r.name, inputs });
        }
    }
    for (const [k, r] of b) if (!a.has(k)) changes.push({ kind: "create", type: r.type, name: r.name, inputs: [] });
    return changes;
}

const SIGN = { create: "+", delete: "-", update: "~" } as const;

export function renderDiff(changes: ResourceChange[]): string {
    if (changes.length === 0) return "No changes: the two configs plan the same resources with the same inputs.";
    const lines: string[] = [];
    for (const c of changes) {
        lines.push(`${SIGN[c.kind]} ${c.type} ${c.name}${c.kind === "update" ? "" : ` (${c.kind})`}`);
        for (const i of c.inputs) {
            if (i.path === "userData") lines.push(`    userData ${i.before !== undefined ? `- ${i.before}` : `+ ${i.after}`}`);
            else lines.push(`    ${i.path}: ${i.before ?? "(none)"} → ${i.after ?? "(none)"}`);
        }
    }
    const n = (kind: ResourceChange["kind"]) => changes.filter(c => c.kind === kind).length;
    lines.push("", `${n("create")} to create, ${n("update")} to update, ${n("delete")} to delete`);
    return lines.join("\n");
}
