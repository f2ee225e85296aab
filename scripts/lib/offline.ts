// Runs the real program (index.ts) against a real stack file under Pulumi's mock runtime and
// records every resource it registers, with its parent and inputs. This is the engine of the
// offline plan and of the tests.

import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import * as path from "path";
import { OfflineMocks } from "./mocks";
import { StackInput } from "./stackFile";

/** How a secret value prints anywhere in a plan. */
export const SECRET = "[secret]";

export interface PlannedResource {
    /** Pulumi type token, e.g. aws:autoscaling/group:Group. */
    type: string;
    /** Logical name. */
    name: string;
    /** Logical name of the parent component, if any. */
    parent?: string;
    /** Type token of the parent component, if any. */
    parentType?: string;
    /** The id the mock gave it: what other resources' inputs refer to it by. */
    id: string;
    /** False for ComponentResources (which have no inputs of their own). */
    custom: boolean;
    /** The `protect` option: Pulumi refuses to delete it. */
    protect?: boolean;
    /** Inputs as the provider would receive them; secrets are "[secret]". */
    inputs: Record<string, unknown>;
}

export interface Plan {
    stack: string;
    resources: PlannedResource[];
    /** Stack outputs; secret ones are "[secret]". */
    outputs: Record<string, unknown>;
}

/** Replaces every secret-wrapped value with "[secret]". */
export function redact(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(redact);
    if (value && typeof value === "object") {
        const o = value as Record<string, unknown>;
        if (o[specialSigKey] === specialSecretSig) return SECRET;
        return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, redact(v)]));
    }
    return value;
}

// Internal to the SDK (no type declaration): resolves once every outstanding registration is done.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };

// The mock's newResource hook sees neither the parent nor the options; the monitor's request does.
let parents: Map<string, { parent?: string; parentType?: string; protect: boolean }> | undefined;
const register = MockMonitor.prototype.registerResource;
MockMonitor.prototype.registerResource = function (this: MockMonitor, req: any, callback: any) {
    const urn: string = req.getParent();
    // urn:pulumi:<stack>::<project>::<parent type chain, $-separated>::<name>
    const parent = urn ? { parent: urn.split("::")[3], parentType: urn.split("::")[2].split("$").pop()! } : {};
    parents?.set(`${req.getType()}::${req.getName()}`, { ...parent, protect: req.getProtect() });
    return register.call(this, req, callback);
};

/** Mocks that keep every resource the program registers, in order. */
export class RecordingMocks extends OfflineMocks {
    readonly resources: PlannedResource[] = [];

    newResource(args: pulumi.runtime.MockResourceArgs) {
        const result = super.newResource(args);
        this.resources.push({ type: args.type, name: args.name, id: result.id, custom: args.custom ?? true, inputs: redact(args.inputs) as Record<string, unknown> });
        return result;
    }
}

async function resolveOutput(value: unknown): Promise<unknown> {
    const out: pulumi.Output<unknown> = pulumi.output(value as pulumi.Input<string>);
    if (await pulumi.isSecret(out)) return SECRET;
    return new Promise(resolve => out.apply((v: unknown) => { resolve(v); return v; }));
}

/**
 * Plans one stack offline. Throws the program's own error (a ConfigError for bad config)
 * before any resource is recorded when validation fails.
 */
export async function planStack(input: StackInput, opts: { program?: string; mocks?: RecordingMocks } = {}): Promise<Plan> {
    // The program beside this file's tree: index.ts from sources, bin/index.js when compiled.
    const program = opts.program ?? path.join(__dirname, "..", "..", "index");
    const mocks = opts.mocks ?? new RecordingMocks(input.config["aws:region"] ?? "us-east-1");
    parents = new Map();
    await pulumi.runtime.setMocks(mocks, input.project, input.stack, false);
    pulumi.runtime.setAllConfig(input.config, input.secretKeys);

    // Each plan runs the program afresh; its imports hold no state of their own.
    delete require.cache[require.resolve(program)];
    const exported = require(program) as Record<string, unknown>;
    const outputs: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(exported)) outputs[k] = await resolveOutput(v);
    await waitForRPCs();

    const resources = mocks.resources.map(r => ({ ...r, ...parents?.get(`${r.type}::${r.name}`) }));
    parents = undefined;
    return { stack: input.stack, resources, outputs };
}
