// Plans of the real stack files, made once per test run and shared by every test file.
// Plans run one after another: the mock runtime is process-global.

import { projectValues } from "../../stacks/load";
import { Raw } from "../../stacks/reader";
import { EnvironmentConfig } from "../../stacks/schema";
import { parseEnvironment } from "../../stacks/validate";
import { Plan, PlannedResource, planStack, RecordingMocks } from "../../scripts/lib/offline";
import { readStack, StackInput } from "../../scripts/lib/stackFile";

export const STACKS = ["staging", "prod"] as const;

let queue: Promise<unknown> = Promise.resolve();
const cache = new Map<string, Promise<Plan>>();

/** Plans a stack input, serialized behind any plan already running. */
export function planInput(input: StackInput, mocks?: RecordingMocks): Promise<Plan> {
    const run = queue.then(() => planStack(input, { mocks }));
    queue = run.catch(() => undefined);
    return run;
}

/** The plan of a shipped stack file, cached. */
export function planOf(stack: string): Promise<Plan> {
    if (!cache.has(stack)) cache.set(stack, planInput(readStack({ stack })));
    return cache.get(stack)!;
}

/** A shipped stack's input with its `mastodon:` values changed by `change` (which edits plain objects). */
export function inputWith(stack: string, change: (raw: Raw) => void): StackInput {
    const input = readStack({ stack });
    const raw = structuredClone(projectValues(input.config));
    change(raw);
    const config = Object.fromEntries(Object.entries(input.config).filter(([k]) => !k.startsWith("mastodon:")));
    for (const [k, v] of Object.entries(raw)) config[`mastodon:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
    return { ...input, config };
}

/** The validated config of a shipped stack file. */
export function configOf(stack: string): EnvironmentConfig {
    const input = readStack({ stack });
    return parseEnvironment(stack, input.config["aws:region"], projectValues(input.config));
}

export const ofType = (plan: Plan, type: string): PlannedResource[] => plan.resources.filter(r => r.type === type);

export function one(plan: Plan, type: string, name: string): PlannedResource {
    const found = plan.resources.filter(r => r.type === type && r.name === name);
    if (found.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${found.length}`);
    return found[0];
}
