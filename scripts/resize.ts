// Resizes one group by editing its stack file in place, keeping comments and key order:
//
//   npm run resize -- --stack prod --role web --size 4xlarge
//   npm run resize -- --stack prod --role sidekiq-push --families c7i,c6i --min 3 --max 8
//
// The edited config is validated first; if it is refused nothing is written. Otherwise the
// offline plan diff of the change is printed and the file is written (not with --dry-run).

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { Document, isMap, isSeq, Node, parseDocument, YAMLMap } from "yaml";
import { projectValues } from "../stacks/load";
import { parseEnvironment } from "../stacks/validate";
import { parseFlags, runCli, UsageError } from "./lib/cli";
import { diffPlans, renderDiff } from "./lib/diff";
import { planStack } from "./lib/offline";
import { flattenConfig, PROJECT_DIR, readStack, StackFileError } from "./lib/stackFile";
import { renderBudgetChange } from "./lib/summary";

const USAGE = "usage: npm run resize -- --stack NAME --role (web | streaming | sidekiq-GROUP) [--size S] [--families a,b] [--min N] [--max N] [--dry-run] [--dir PROJECT_DIR]";

/** The resize asked for: any of size, families, min, max. */
export interface Resize {
    size?: string;
    families?: string[];
    min?: number;
    max?: number;
}

/** The YAML map of a role's config: mastodon:web, mastodon:streaming, or the named Sidekiq group. */
function roleNode(doc: Document, stack: string, role: string): YAMLMap {
    const config = doc.get("config");
    if (!isMap(config)) throw new StackFileError(`Pulumi.${stack}.yaml has no config: mapping`);
    const sidekiq = config.get("mastodon:sidekiq");
    const groups = isSeq(sidekiq) ? sidekiq.items.filter(isMap) : [];
    const roles = ["web", "streaming", ...groups.map(g => `sidekiq-${String(g.get("name"))}`)];
    const node = role === "web" || role === "streaming" ? config.get(`mastodon:${role}`)
        : groups.find(g => `sidekiq-${String(g.get("name"))}` === role);
    if (!isMap(node)) throw new StackFileError(`[${stack}] --role ${role}: no such role; roles of this stack: ${roles.join(", ")}`);
    return node;
}

/**
 * Applies a resize to the stack file's text. Only the changed values' characters are replaced
 * (found through the parsed document's source ranges), so every comment, blank line and
 * formatting choice of the rest of the file stays byte for byte.
 */
export function applyResize(text: string, stack: string, role: string, resize: Resize): string {
    const node = roleNode(parseDocument(text), stack, role);
    const values: [string, string | undefined][] = [
        ["size", resize.size],
        ["families", resize.families && `[${resize.families.join(", ")}]`],
        ["min", resize.min?.toString()],
        ["max", resize.max?.toString()],
    ];
    const edits = values.filter(([, v]) => v !== undefined).map(([key, value]) => {
        const current = node.get(key, true) as Node | undefined;
        // families, size, min and max are required keys, so a valid file always has them.
        if (!current?.range) throw new StackFileError(`[${stack}] ${role} has no ${key} to change; add it to Pulumi.${stack}.yaml first`);
        return { start: current.range[0], end: current.range[1], value: value! };
    });
    return edits.sort((a, b) => b.start - a.start).reduce((t, e) => t.slice(0, e.start) + e.value + t.slice(e.end), text);
}

/** Validates a stack file's text as the program would, throwing ConfigError if it is refused. */
export function validateText(text: string, stack: string, region?: string) {
    const { config } = flattenConfig((parseDocument(text).toJS() as { config: Record<string, unknown> }).config);
    return parseEnvironment(stack, config["aws:region"] ?? region, projectValues(config));
}

function intArg(name: string, value: string | undefined): number | undefined {
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value)) throw new StackFileError(`--${name} ${value}: expected a whole number`);
    return Number(value);
}

async function main(argv: string[]): Promise<number> {
    const values = parseFlags(argv, {
        stack: { type: "string" }, role: { type: "string" }, size: { type: "string" }, families: { type: "string" },
        min: { type: "string" }, max: { type: "string" }, "dry-run": { type: "boolean" }, dir: { type: "string" },
    }, USAGE);
    const resize: Resize = {
        size: values.size,
        families: values.families?.split(",").map(f => f.trim()).filter(Boolean),
        min: intArg("min", values.min),
        max: intArg("max", values.max),
    };
    if (!values.stack || !values.role || Object.values(resize).every(v => v === undefined)) throw new UsageError(USAGE);
    const projectDir = values.dir ?? PROJECT_DIR;
    const file = path.join(projectDir, `Pulumi.${values.stack}.yaml`);
    const before = readStack({ stack: values.stack, projectDir }); // also reports a missing or broken file
    const text = readFileSync(file, "utf8");
    const edited = applyResize(text, values.stack, values.role, resize);
    const beforeEnv = validateText(text, values.stack);
    const afterEnv = validateText(edited, values.stack); // refused: ConfigError, nothing written

    const dir = mkdtempSync(path.join(tmpdir(), "resize-"));
    try {
        const proposed = path.join(dir, `Pulumi.${values.stack}.yaml`);
        writeFileSync(proposed, edited);
        const diff = diffPlans(await planStack(before), await planStack(readStack({ stack: values.stack, file: proposed, projectDir })));
        console.log(renderDiff(diff));
        console.log(`\n${renderBudgetChange(beforeEnv, afterEnv)}`);
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
    if (values["dry-run"]) {
        console.log(`\n--dry-run: ${path.basename(file)} left as it was`);
    } else {
        writeFileSync(file, edited);
        console.log(`\nwrote ${path.basename(file)}; review with git diff, then pulumi preview --stack ${values.stack}`);
    }
    return 0;
}

if (require.main === module) runCli(main);
