// The offline plan: runs the real program against a real stack file under Pulumi's mock
// runtime and prints every resource it would create.
//
//   npm run plan -- --stack staging                 table + summary
//   npm run plan -- --stack prod --json             machine-readable plan
//   npm run plan -- --config proposed.yaml          plan any stack-config file
//   npm run plan -- --stack prod --render DIR       write what every node runs into DIR
//   npm run plan -- --stack prod --diff-against F   what changes if the stack's config became F

import { parseFlags, runCli, stackInputOf } from "./lib/cli";
import { diffPlans, renderDiff } from "./lib/diff";
import { planStack } from "./lib/offline";
import { renderedNodes, writeRendered } from "./lib/render";
import { environmentOf, readStack } from "./lib/stackFile";
import { renderBudgetChange, renderSummary, renderTable } from "./lib/summary";

const USAGE = "usage: npm run plan -- (--stack NAME | --config FILE) [--json] [--render DIR] [--diff-against FILE]";

async function main(argv: string[]): Promise<number> {
    const values = parseFlags(argv, {
        stack: { type: "string" }, config: { type: "string" }, json: { type: "boolean" }, render: { type: "string" }, "diff-against": { type: "string" },
    }, USAGE);
    const input = stackInputOf(values, USAGE);
    // Validate first, so a config mistake prints its message and nothing else.
    const env = environmentOf(input);
    if (values["diff-against"]) {
        const proposed = readStack({ stack: input.stack, file: values["diff-against"] });
        const proposedEnv = environmentOf(proposed);
        console.log(renderDiff(diffPlans(await planStack(input), await planStack(proposed))));
        console.log(`\n${renderBudgetChange(env, proposedEnv)}`);
        return 0;
    }
    const plan = await planStack(input);

    if (values.render) {
        const files = writeRendered(renderedNodes(plan), values.render);
        console.error(`wrote ${files.length} files under ${values.render}`);
    }
    if (values.json) {
        console.log(JSON.stringify({
            stack: plan.stack,
            resources: plan.resources.map(({ type, name, parent, inputs }) => ({ type, name, parent: parent ?? null, inputs })),
            outputs: plan.outputs,
        }, null, 2));
    } else {
        console.log(renderTable(plan));
        console.log();
        console.log(renderSummary(plan, env));
    }
    return 0;
}

runCli(main);
