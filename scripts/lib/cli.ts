// How the command-line tools end: an exit code, and for the user's own mistakes (config,
// files, arguments) the message alone, never a stack trace.

import { RunError } from "@pulumi/pulumi/errors";
import { StackFileError } from "./stackFile";

export function runCli(main: (argv: string[]) => Promise<number>): void {
    main(process.argv.slice(2)).then(
        // exitCode, not exit(): a large plan piped to another program must be flushed first.
        code => { process.exitCode = code; },
        (e: unknown) => {
            // RunError is Pulumi's "print the message, not a trace" (ConfigError is one).
            const mine = RunError.isInstance(e) || e instanceof StackFileError;
            console.error(mine ? (e as Error).message : e);
            process.exitCode = 1;
        },
    );
}
