// The human-readable plan: every resource with its key inputs, then what a reviewer checks
// first: counts per type, each role's instances and sizes, and the DB connection budget.

import { instanceTypesOf } from "../../stacks/catalog";
import { connectionBudget } from "../../stacks/connections";
import { PRICE_TABLES } from "../../stacks/prices";
import { roleGroups } from "../../stacks/roles";
import { EnvironmentConfig } from "../../stacks/schema";
import { estimateCost } from "./cost";
import { Plan, PlannedResource } from "./offline";

/** Inputs too long or too noisy for a table row; the JSON plan has them whole. */
const SKIPPED = new Set(["tags", "tagsAll", "userData", "policy", "assumeRolePolicy", "tagSpecifications", "__defaults"]);

/** Flattens inputs to dotted key=value pairs of scalars. */
export function flatten(value: unknown, prefix = "", out: [string, string][] = []): [string, string][] {
    if (Array.isArray(value)) {
        if (value.every(v => typeof v !== "object" || v === null)) out.push([prefix, value.join(",")]);
        else value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out));
    } else if (value && typeof value === "object") {
        for (const [k, v] of Object.entries(value)) if (!SKIPPED.has(k)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
    } else if (value !== undefined && value !== null) {
        out.push([prefix, String(value)]);
    }
    return out;
}

const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** Resources in tree order: each component followed by its children, indented by depth. */
export function treeOrder(resources: PlannedResource[]): { r: PlannedResource; depth: number }[] {
    const key = (type: string, name: string) => `${type}::${name}`;
    const children = new Map<string, PlannedResource[]>();
    for (const r of resources) {
        const k = r.parent && r.parentType ? key(r.parentType, r.parent) : "";
        children.set(k, [...(children.get(k) ?? []), r]);
    }
    const out: { r: PlannedResource; depth: number }[] = [];
    const walk = (k: string, depth: number) => {
        for (const r of children.get(k) ?? []) {
            out.push({ r, depth });
            walk(key(r.type, r.name), depth + 1);
        }
    };
    walk("", 0);
    return out;
}

/** One resource as a line (type, indented name), then its key inputs on the next. */
function row({ r, depth }: { r: PlannedResource; depth: number }): string {
    const head = `${r.type.padEnd(58)} ${"  ".repeat(depth)}${r.name}`;
    if (!r.custom) return head;
    const inputs = flatten(r.inputs).map(([k, v]) => `${k}=${clip(v, 60)}`).join("  ");
    return inputs ? `${head}\n${" ".repeat(59 + 2 * depth)}  ${clip(inputs, 300)}` : head;
}

export function renderTable(plan: Plan): string {
    return [`${"TYPE".padEnd(58)} NAME (indented under its parent)`, ...treeOrder(plan.resources).map(row)].join("\n");
}

export function renderSummary(plan: Plan, env: EnvironmentConfig): string {
    const counts = new Map<string, number>();
    for (const r of plan.resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    const countLines = [...counts.entries()].sort().map(([t, n]) => `  ${String(n).padStart(4)}  ${t}`);

    const work: Record<string, string> = {
        web: `puma ${env.web.pumaWorkers} workers x ${env.web.pumaThreads} threads`,
        streaming: `${env.streaming.processes} node processes, DB_POOL ${env.streaming.dbPool}`,
    };
    for (const g of env.sidekiq) work[`sidekiq-${g.name}`] = `${g.processes} x sidekiq -c ${g.threads} -q ${g.queues.join(",")}`;
    const roleLines = roleGroups(env).map(({ role, capacity: g }) =>
        `  ${role.padEnd(20)} ${instanceTypesOf(g).join(",").padEnd(40)} min ${String(g.min).padStart(3)} max ${String(g.max).padStart(3)}  ` +
        `on-demand ${g.onDemandBase} + ${g.onDemandPercentAboveBase}% (rest spot)  ${work[role]}`);

    return [
        `Stack ${plan.stack}: ${plan.resources.length} resources`,
        "", "Resources per type:", ...countLines,
        "", "Instances per role:", ...roleLines,
        "", "PostgreSQL connections at peak size (max + AWS's rebalancing overshoot):", ...renderBudget(env),
        "", renderCostTotal(plan, env),
    ].join("\n");
}

/** The monthly estimate in one line (npm run cost has every line of it). */
export function renderCostTotal(plan: Plan, env: EnvironmentConfig): string {
    const table = PRICE_TABLES[env.region];
    if (!table) return `Monthly cost: no price table for ${env.region} in stacks/prices.ts`;
    const { total, spotShare } = estimateCost(plan, env.usage, table);
    const usd = (n: number) => `$${Math.round(n).toLocaleString("en-US")}`;
    return `Monthly cost estimate: ${usd(total.min)} at min size, ${usd(total.max)} at max (all on-demand: ${usd(total.onDemandMin)} / ${usd(total.onDemandMax)}; ` +
        `spot at ${Math.round(spotShare * 100)}% of on-demand; usage as in mastodon:usage). Every line: npm run cost -- --stack ${plan.stack}`;
}

/** The connection budget: each role's worst case, the reserve, and the limit they must fit. */
export function renderBudget(env: EnvironmentConfig): string[] {
    const b = connectionBudget(env);
    const via = b.proxyConnections === undefined ? ""
        : `\n  via RDS Proxy: the app's ${b.total - b.reserved} client connections share at most ${b.proxyConnections} server connections;` +
          "\n  a client pinned to a server connection (session settings, prepared statements) holds it, so expect waits at the proxy, not refusals at the database";
    return [
        ...b.shares.map(s => `  ${s.role.padEnd(20)} ${String(s.connections).padStart(6)}`),
        `  ${"reserved".padEnd(20)} ${String(b.reserved).padStart(6)}`,
        `  ${"total at peak size".padEnd(20)} ${String(b.total).padStart(6)} of ${b.limit} (${b.limitSource})${via}`,
    ];
}

/** One line: how a change moves the worst-case connection count against the limit. */
export function renderBudgetChange(before: EnvironmentConfig, after: EnvironmentConfig): string {
    const [a, b] = [connectionBudget(before), connectionBudget(after)];
    return `PostgreSQL connections at peak size: ${a.total} of ${a.limit} → ${b.total} of ${b.limit}`;
}
