// Reads the running stack's config from the Pulumi runtime and validates it. The only place
// that touches pulumi.Config-style state; components get the typed result.

import * as pulumi from "@pulumi/pulumi";
import { Raw } from "./reader";
import { EnvironmentConfig } from "./schema";
import { parseEnvironment } from "./validate";

/** Project config namespace: the `name` in Pulumi.yaml. */
export const NAMESPACE = "mastodon";

/**
 * Config values arrive as strings: structured ones as JSON, scalars as their text. Decode the
 * JSON ones and booleans; leave other scalars as the strings the user wrote.
 */
export function decodeConfigValue(text: string): unknown {
    if (text === "true" || text === "false") return text === "true";
    if (text.startsWith("{") || text.startsWith("[")) {
        try { return JSON.parse(text); } catch { return text; }
    }
    return text;
}

/** Raw `mastodon:` values of a flat config map, namespace stripped. */
export function projectValues(all: Record<string, string>): Raw {
    const raw: Raw = {};
    for (const [k, v] of Object.entries(all)) {
        if (k.startsWith(`${NAMESPACE}:`)) raw[k.slice(NAMESPACE.length + 1)] = decodeConfigValue(v);
    }
    return raw;
}

/** The validated config of the stack being deployed; throws ConfigError before any resource exists. */
export function loadEnvironment(): EnvironmentConfig {
    const all = pulumi.runtime.allConfig();
    return parseEnvironment(pulumi.getStack(), all["aws:region"], projectValues(all));
}
