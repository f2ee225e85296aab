// The cost estimate as people read it: the table of one stack's lines with its totals, and the
// before/after of a config edit. Estimating is in cost.ts; this file only formats.

import { HOURS_PER_MONTH, PriceTable } from "../../stacks/prices";
import { CostReport, NOT_ESTIMATED } from "./cost";

const usd = (n: number) => `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const pad = (s: string, n: number) => s.padStart(n);

/**
 * The estimate as a table: a line per group and service, then totals and the all-on-demand
 * comparison. `explain` adds, under each line, where each of its prices came from.
 */
export function renderCost(report: CostReport, table: PriceTable, explain = false): string {
    const out = [
        `Monthly cost estimate for stack "${report.stack}" (${report.region}), USD, ${HOURS_PER_MONTH} h a month`,
        `Prices: stacks/prices.ts, ${table.provenance}; ~ marks a line resting on a derived price or spot. Spot at ${Math.round(report.spotShare * 100)}% of on-demand.`,
        "",
        `${"".padEnd(22)}${pad("at min", 12)}${pad("at max", 12)}  how (at max)`,
    ];
    for (const l of report.lines) {
        out.push(`${(l.derived ? "~ " : "  ") + l.item.padEnd(20)}${pad(usd(l.min), 12)}${pad(usd(l.max), 12)}  ${l.detailMax}`);
        if (explain) for (const p of l.prices) out.push(`${"".padEnd(48)}price: ${p}`);
    }
    const t = report.total;
    out.push(`${"  total".padEnd(22)}${pad(usd(t.min), 12)}${pad(usd(t.max), 12)}`);
    out.push(`${"  all on-demand".padEnd(22)}${pad(usd(t.onDemandMin), 12)}${pad(usd(t.onDemandMax), 12)}  the same instances without spot (spot saves ${usd(t.onDemandMin - t.min)} at min, ${usd(t.onDemandMax - t.max)} at max)`);
    out.push("", "Not in the total:");
    for (const u of report.unpriced) out.push(`  ${u.type} x ${u.count}: ${u.why}`);
    for (const n of NOT_ESTIMATED) out.push(`  ${n}`);
    if (!explain) out.push("", "Where each price came from: add --explain.");
    return out.join("\n");
}

/** Before and after a config edit: each line's change at min and max, then the totals. */
export function renderCostChange(before: CostReport, after: CostReport): string {
    const items = [...new Set([...before.lines.map(l => l.item), ...after.lines.map(l => l.item)])];
    const find = (r: CostReport, item: string) => r.lines.find(l => l.item === item);
    const signed = (n: number) => `${n >= 0 ? "+" : "-"}${usd(Math.abs(n))}`;
    const out = [
        `Monthly cost change for stack "${after.stack}" (${after.region}), USD`,
        "",
        `${"".padEnd(22)}${pad("min before", 13)}${pad("after", 12)}${pad("max before", 13)}${pad("after", 12)}${pad("change at max", 15)}`,
    ];
    for (const item of items) {
        const b = find(before, item), a = find(after, item);
        const [bMin, aMin, bMax, aMax] = [b?.min ?? 0, a?.min ?? 0, b?.max ?? 0, a?.max ?? 0];
        if (bMin === aMin && bMax === aMax) continue;
        out.push(`  ${item.padEnd(20)}${pad(usd(bMin), 13)}${pad(usd(aMin), 12)}${pad(usd(bMax), 13)}${pad(usd(aMax), 12)}${pad(signed(aMax - bMax), 15)}`);
    }
    if (out.length === 3) out.push("  (no line changes)");
    const b = before.total, a = after.total;
    // A billable resource type the edit adds or removes without a price must not read as $0.
    const unpriced = (r: CostReport) => new Map(r.unpriced.map(u => [u.type, u.count]));
    const [ub, ua] = [unpriced(before), unpriced(after)];
    for (const type of new Set([...ub.keys(), ...ua.keys()])) {
        if (ub.get(type) !== ua.get(type)) out.push(`  ${type}: ${ub.get(type) ?? 0} → ${ua.get(type) ?? 0}, not priced (not in the totals)`);
    }
    out.push(`  ${"total".padEnd(20)}${pad(usd(b.min), 13)}${pad(usd(a.min), 12)}${pad(usd(b.max), 13)}${pad(usd(a.max), 12)}${pad(signed(a.max - b.max), 15)}`);
    out.push("", `At min: ${signed(a.min - b.min)} a month; at max: ${signed(a.max - b.max)} a month.`);
    return out.join("\n");
}
