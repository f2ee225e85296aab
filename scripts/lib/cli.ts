// How the command-line tools read their flags and end: an exit code, and for the user's own
// mistakes (arguments: exit 2; config and files: exit 1) the message alone, never a stack trace.

import { RunError } from "@pulumi/pulumi/errors";
import * as path from "path";
import { parseArgs, ParseArgsConfig } from "util";
import { readStack, StackFileError, StackInput } from "./stackFile";

/** A mistake in the command line itself: printed with the usage, exit code 2. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** The command's flags, or a UsageError naming the bad one. */
export function parseFlags<T extends Options>(argv: string[], options: T, usage: string) {
    try {
        return parseArgs({ args: argv, options }).values;
    } catch (e) {
        throw new UsageError(`${(e as Error).message}\n${usage}`);
    }
}

/** The stack a command was pointed at by --stack and/or --config. */
export function stackInputOf(flags: { stack?: string; config?: string }, usage: string): StackInput {
    if (!flags.stack && !flags.config) throw new UsageError(usage);
    // The stack name decides resource names and the production guards: never guess it.
    if (!flags.stack && !/^Pulumi\..+\.ya?ml$/.test(path.basename(flags.config!))) {
        throw new UsageError(`--config ${flags.config}: give the stack too (--stack NAME), or name the file Pulumi.<stack>.yaml\n${usage}`);
    }
    return readStack({ stack: flags.stack, file: flags.config });
}

export function runCli(main: (argv: string[]) => Promise<number>): void {
    main(process.argv.slice(2)).then(
        // exitCode, not exit(): a large plan piped to another program must be flushed first.
        code => { process.exitCode = code; },
        (e: unknown) => {
            // RunError is Pulumi's "print the message, not a trace" (ConfigError is one).
            const mine = RunError.isInstance(e) || e instanceof StackFileError || e instanceof UsageError;
            console.error(mine ? (e as Error).message : e);
            process.exitCode = e instanceof UsageError ? 2 : 1;
        },
    );
}
