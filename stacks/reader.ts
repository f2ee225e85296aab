// A small typed reader over untrusted config values. It records every problem with the full
// key path instead of throwing at the first, so one run shows the user everything to fix.

import { RunError } from "@pulumi/pulumi/errors";

/**
 * A config mistake. Extends Pulumi's RunError so `pulumi up` prints the message alone, with no
 * stack trace, and stops before any resource is registered.
 */
export class ConfigError extends RunError {
    constructor(readonly stack: string, readonly problems: string[]) {
        super(`Invalid config for stack "${stack}":\n` + problems.map(p => `  - ${p}`).join("\n"));
        this.name = "ConfigError";
    }
}

/** A plain JSON object from config. */
export type Raw = Record<string, unknown>;

const show = (v: unknown): string => (v === undefined ? "nothing" : JSON.stringify(v));
/** A key's path under its parent ("" for top-level keys). */
const at = (path: string, name: string): string => (path ? `${path}.${name}` : name);

export class Reader {
    readonly problems: string[] = [];

    constructor(readonly stack: string, private readonly namespace = "mastodon") {}

    /** Records a problem: which stack, which key, what value, what is allowed. */
    fail(path: string, value: unknown, allowed: string): void {
        this.problems.push(`[${this.stack}] ${this.key(path)} = ${show(value)}: ${allowed}`);
    }

    key(path: string): string {
        return `${this.namespace}:${path}`;
    }

    /** Throws one ConfigError listing every recorded problem, if there are any. */
    check(): void {
        if (this.problems.length > 0) throw new ConfigError(this.stack, this.problems);
    }

    /** An object (or absent: {}), refusing keys outside `allowed` so typos are not ignored. */
    object(value: unknown, path: string, allowed: readonly string[]): Raw {
        if (value === undefined) return {};
        if (typeof value !== "object" || value === null || Array.isArray(value)) {
            this.fail(path, value, `expected an object with keys: ${allowed.join(", ")}`);
            return {};
        }
        for (const k of Object.keys(value)) {
            if (!allowed.includes(k)) this.fail(`${path}.${k}`, (value as Raw)[k], `unknown key; allowed keys of ${this.key(path)}: ${allowed.join(", ")}`);
        }
        return value as Raw;
    }

    string(obj: Raw, path: string, name: string, opts: { default?: string; pattern?: RegExp; hint?: string } = {}): string {
        const v = obj[name] ?? opts.default;
        const p = at(path, name);
        if (typeof v !== "string" || v.length === 0) {
            this.fail(p, v, `required: a non-empty string${opts.hint ? ` (${opts.hint})` : ""}`);
            return "";
        }
        if (opts.pattern && !opts.pattern.test(v)) this.fail(p, v, `expected ${opts.hint ?? `to match ${opts.pattern}`}`);
        return v;
    }

    oneOf<T extends string>(obj: Raw, path: string, name: string, allowed: readonly T[], def?: T): T {
        const v = obj[name] ?? def;
        if (typeof v !== "string" || !allowed.includes(v as T)) {
            this.fail(at(path, name), v, `expected one of: ${allowed.join(", ")}`);
            return allowed[0];
        }
        return v as T;
    }

    int(obj: Raw, path: string, name: string, min: number, max: number, def?: number): number {
        const v = obj[name] ?? def;
        if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
            this.fail(at(path, name), v, `expected a whole number from ${min} to ${max}`);
            return min;
        }
        return v;
    }

    number(obj: Raw, path: string, name: string, min: number, max: number, def?: number): number {
        const v = obj[name] ?? def;
        if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max) {
            this.fail(at(path, name), v, `expected a number from ${min} to ${max}`);
            return min;
        }
        return v;
    }

    bool(obj: Raw, path: string, name: string, def: boolean): boolean {
        const v = obj[name] ?? def;
        if (typeof v !== "boolean") {
            this.fail(at(path, name), v, "expected true or false");
            return def;
        }
        return v;
    }

    stringList(obj: Raw, path: string, name: string, allowed?: readonly string[]): string[] {
        const v = obj[name];
        const p = at(path, name);
        if (!Array.isArray(v) || v.length === 0 || !v.every(x => typeof x === "string")) {
            this.fail(p, v, `required: a non-empty list of strings${allowed ? ` from: ${allowed.join(", ")}` : ""}`);
            return [];
        }
        for (const x of v) if (allowed && !allowed.includes(x)) this.fail(p, x, `unknown entry; allowed: ${allowed.join(", ")}`);
        if (new Set(v).size !== v.length) this.fail(p, v, "entries must not repeat");
        return v as string[];
    }
}
