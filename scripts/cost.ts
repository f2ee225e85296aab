// The monthly cost of a stack, from its offline plan and the price table in stacks/prices.ts.
//
//   npm run cost -- --stack prod                         each group at min and max, services, total
//   npm run cost -- --stack prod --against proposed.yaml the change a config edit makes
//   npm run cost -- --stack prod --spot-discount 70      assume spot at 70% below on-demand
//   npm run cost -- --stack prod --explain               where each price came from
//   npm run cost -- --stack prod --json                  the estimate as JSON (with each line's prices)

import { RunError } from "@pulumi/pulumi/errors";
import { PRICE_TABLES, PriceTable } from "../stacks/prices";
import { parseFlags, runCli, stackInputOf, UsageError } from "./lib/cli";
import { CostReport, estimateCost } from "./lib/cost";
import { renderCost, renderCostChange } from "./lib/costRender";
import { planStack } from "./lib/offline";
import { environmentOf, readStack, StackInput } from "./lib/stackFile";

const USAGE = "usage: npm run cost -- (--stack NAME | --config FILE) [--against FILE] [--spot-discount PERCENT] [--explain] [--json]";

async function estimate(input: StackInput, spotShare: number | undefined): Promise<{ report: CostReport; table: PriceTable }> {
    // Validate first, so a config mistake prints its message and nothing else.
    const env = environmentOf(input);
    const table = PRICE_TABLES[env.region];
    if (!table) {
        throw new RunError(`stack "${input.stack}" is in ${env.region}; stacks/prices.ts has prices for ${Object.keys(PRICE_TABLES).join(", ")} only. Add a table for ${env.region} there.`);
    }
    return { report: estimateCost(await planStack(input), env.usage, table, spotShare), table };
}

async function main(argv: string[]): Promise<number> {
    const values = parseFlags(argv, {
        stack: { type: "string" }, config: { type: "string" }, against: { type: "string" }, "spot-discount": { type: "string" },
        explain: { type: "boolean" }, json: { type: "boolean" },
    }, USAGE);
    const input = stackInputOf(values, USAGE);
    let spotShare: number | undefined;
    if (values["spot-discount"] !== undefined) {
        const pct = Number(values["spot-discount"]);
        if (!/^\d+(\.\d+)?$/.test(values["spot-discount"]) || pct >= 100) {
            throw new UsageError(`--spot-discount ${values["spot-discount"]}: give the percent below on-demand that spot costs, 0 to 99 (e.g. 60)\n${USAGE}`);
        }
        spotShare = 1 - pct / 100;
    }
    const current = await estimate(input, spotShare);
    if (values.against) {
        const proposed = await estimate(readStack({ stack: input.stack, file: values.against }), spotShare);
        if (values.json) console.log(JSON.stringify({ before: current.report, after: proposed.report }, null, 2));
        else console.log(renderCostChange(current.report, proposed.report));
        return 0;
    }
    console.log(values.json ? JSON.stringify(current.report, null, 2) : renderCost(current.report, current.table, values.explain));
    return 0;
}

runCli(main);
