// Reads Pulumi.yaml and a stack's config file the way the Pulumi CLI would hand them to the
// program: a flat map of "namespace:key" to string, objects as JSON, plus the project's
// declared defaults. Encrypted values (`secure:`) cannot be read offline; they become
// placeholders marked secret, so the program still sees a secret of the right shape.

import { existsSync, readFileSync } from "fs";
import * as path from "path";
import { parse } from "yaml";
import { projectValues } from "../../stacks/load";
import { ConfigError } from "../../stacks/reader";
import { EnvironmentConfig } from "../../stacks/schema";
import { parseEnvironment } from "../../stacks/validate";

export interface StackInput {
    /** Stack name (from Pulumi.<name>.yaml, or the file name given). */
    stack: string;
    /** Project name from Pulumi.yaml. */
    project: string;
    /** Config as the runtime holds it: "mastodon:web" -> JSON text. */
    config: Record<string, string>;
    /** Keys whose values are secret. */
    secretKeys: string[];
    /** The file it was read from. */
    file: string;
}

/** A stack file that cannot be read or is not YAML: the user's to fix, so no stack trace. */
export class StackFileError extends Error {}

/** The nearest folder at or above `dir` that holds `file` (works from sources and from bin/). */
export function findUp(dir: string, file: string): string {
    for (let d = dir; ; d = path.dirname(d)) {
        if (existsSync(path.join(d, file))) return d;
        if (path.dirname(d) === d) throw new StackFileError(`no ${file} above ${dir}`);
    }
}

/** The repository root, where Pulumi.yaml lives. */
export const PROJECT_DIR = findUp(__dirname, "Pulumi.yaml");

/** Parses YAML, turning a syntax error into one line naming the file. */
function readYaml(file: string): unknown {
    let text: string;
    try {
        text = readFileSync(file, "utf8");
    } catch {
        throw new StackFileError(`cannot read ${file}`);
    }
    try {
        return parse(text);
    } catch (e) {
        throw new StackFileError(`${file} is not valid YAML: ${(e as Error).message.split("\n")[0]}`);
    }
}

/** The stack name a config file belongs to: Pulumi.prod.yaml -> prod. */
export function stackNameOf(file: string): string {
    const m = /^Pulumi\.(.+)\.ya?ml$/.exec(path.basename(file));
    return m ? m[1] : path.basename(file).replace(/\.ya?ml$/, "");
}

/** Flattens a stack file's `config:` block into runtime form. */
export function flattenConfig(block: Record<string, unknown>): { config: Record<string, string>; secretKeys: string[] } {
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(block)) {
        if (value && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value) {
            config[key] = `offline-placeholder-for-${key}`;
            secretKeys.push(key);
        } else {
            config[key] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    return { config, secretKeys };
}

/** Reads a stack: by name from the project folder, or from any config file (`--config`). */
export function readStack(opts: { stack?: string; file?: string; projectDir?: string }): StackInput {
    const dir = opts.projectDir ?? PROJECT_DIR;
    const project = readYaml(path.join(dir, "Pulumi.yaml")) as { name: string; config?: Record<string, { default?: unknown }> };
    const file = opts.file ?? path.join(dir, `Pulumi.${opts.stack}.yaml`);
    const stack = opts.stack ?? stackNameOf(file);
    const doc = (readYaml(file) ?? {}) as { config?: Record<string, unknown> };
    if (typeof doc !== "object" || (doc.config !== undefined && (typeof doc.config !== "object" || doc.config === null))) {
        throw new StackFileError(`${file}: expected a top-level "config:" mapping`);
    }
    const { config, secretKeys } = flattenConfig(doc.config ?? {});
    // Declared defaults apply where the stack says nothing, as the CLI does.
    for (const [key, decl] of Object.entries(project.config ?? {})) {
        const full = key.includes(":") ? key : `${project.name}:${key}`;
        if (decl && typeof decl === "object" && "default" in decl && !(full in config)) config[full] = String(decl.default);
    }
    return { stack, project: project.name, config, secretKeys, file };
}

/**
 * The validated config of a stack file. A mistake names the file too, since a command may read
 * two (a stack and a proposed edit of it).
 */
export function environmentOf(input: StackInput): EnvironmentConfig {
    try {
        return parseEnvironment(input.stack, input.config["aws:region"], projectValues(input.config));
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        const shown = path.relative(process.cwd(), input.file);
        throw new StackFileError(`${e.message}\n  (in ${shown.startsWith("..") ? input.file : shown})`);
    }
}
