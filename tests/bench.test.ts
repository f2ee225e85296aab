// The benchmark's generated configs are valid stacks with the number of Sidekiq groups asked for.

import { strict as assert } from "assert";
import { readFileSync } from "fs";
import * as path from "path";
import { flattenConfig, PROJECT_DIR } from "../scripts/lib/stackFile";
import { parse } from "yaml";
import { withGroups } from "../scripts/bench";
import { projectValues } from "../stacks/load";
import { parseEnvironment } from "../stacks/validate";

describe("benchmark configs", () => {
    it("are valid stacks with 1, 5, 10 and 20 Sidekiq groups covering every queue", () => {
        const staging = readFileSync(path.join(PROJECT_DIR, "Pulumi.staging.yaml"), "utf8");
        for (const n of [1, 5, 10, 20]) {
            const { config } = flattenConfig((parse(withGroups(staging, n)) as { config: Record<string, unknown> }).config);
            const env = parseEnvironment(`bench${n}`, config["aws:region"], projectValues(config));
            assert.equal(env.sidekiq.length, n);
        }
    });
});
