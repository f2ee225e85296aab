// What `pulumi up` and `pulumi preview` run: the program compiled ahead by `npm run build`, which
// must plan exactly what the sources plan, and must refuse to run once the sources move on.

import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { parse } from "yaml";
import { STAMP_FILE, staleness, writeStamp } from "../stacks/freshness";
import { PROJECT_DIR } from "../scripts/lib/stackFile";
import { planOf } from "./support/plans";

describe("the build stamp", () => {
    let project: string;
    let out: string;
    beforeEach(() => {
        project = mkdtempSync(path.join(tmpdir(), "stamp-"));
        out = path.join(project, "bin");
        mkdirSync(path.join(project, "stacks"), { recursive: true });
        mkdirSync(path.join(project, "components/userdata/files"), { recursive: true });
        mkdirSync(out);
        writeFileSync(path.join(project, "index.ts"), "export const a = 1;\n");
        writeFileSync(path.join(project, "stacks/schema.ts"), "export const b = 2;\n");
        writeFileSync(path.join(project, "components/userdata/files/publisher.js"), "console.log(1);\n");
    });
    afterEach(() => rmSync(project, { recursive: true, force: true }));

    it("lets a build run while its sources are unchanged", () => {
        writeStamp(project, out);
        assert.equal(staleness(project, out), undefined);
    });

    it("refuses a build whose sources were edited, added to or deleted from, naming the fix", () => {
        const edits: [string, () => void][] = [
            ["edited", () => writeFileSync(path.join(project, "stacks/schema.ts"), "export const b = 3;\n")],
            ["shipped file edited", () => writeFileSync(path.join(project, "components/userdata/files/publisher.js"), "console.log(2);\n")],
            ["added", () => writeFileSync(path.join(project, "stacks/new.ts"), "export {};\n")],
            ["deleted", () => rmSync(path.join(project, "stacks/schema.ts"))],
        ];
        for (const [what, edit] of edits) {
            writeFileSync(path.join(project, "stacks/schema.ts"), "export const b = 2;\n");
            rmSync(path.join(project, "stacks/new.ts"), { force: true });
            writeStamp(project, out);
            edit();
            assert.match(staleness(project, out) ?? "", /bin\/ was compiled from different sources .*: run `npm run build`/, what);
        }
    });

    it("refuses a folder that was never stamped", () => {
        assert.match(staleness(project, out) ?? "", /bin\/ has no build stamp: run `npm run build`/);
    });
});

describe("npm run build", () => {
    const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { cwd: PROJECT_DIR, encoding: "utf8" });
    const stamp = path.join(PROJECT_DIR, "bin", STAMP_FILE);
    before(function () {
        this.timeout(180_000);
        const r = run("npm", ["run", "-s", "build"]);
        assert.equal(r.status, 0, r.stdout + r.stderr);
    });

    it("is what Pulumi runs: built-in TypeScript off, package.json main is the compiled program", () => {
        const project = parse(readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8"));
        assert.equal(project.runtime.options.typescript, false);
        assert.equal(project.main, undefined, "Pulumi.yaml main would bypass package.json main");
        const pkg = JSON.parse(readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8"));
        assert.equal(pkg.main, "bin/index.js");
        assert.ok(readFileSync(path.join(PROJECT_DIR, pkg.main), "utf8").includes("assertFreshBuild"));
    });

    it("compiles a program that plans prod exactly as the sources do", async () => {
        const compiled = run(process.execPath, ["bin/scripts/plan.js", "--stack", "prod", "--json"]);
        assert.equal(compiled.status, 0, compiled.stderr);
        // The same program from its .ts sources, in this process, shaped as the JSON plan is.
        const sources = await planOf("prod");
        assert.deepEqual(JSON.parse(compiled.stdout), JSON.parse(JSON.stringify({
            stack: sources.stack,
            resources: sources.resources.map(({ type, name, parent, inputs }) => ({ type, name, parent: parent ?? null, inputs })),
            outputs: sources.outputs,
        })));
    });

    it("compiles the policy pack too: policy/ resolves to the compiled pack", () => {
        assert.equal(require.resolve(path.join(PROJECT_DIR, "policy")), path.join(PROJECT_DIR, "bin/policy/index.js"));
    });

    it("leaves nothing runnable after a failed build, even once the error is undone", function () {
        this.timeout(180_000);
        // In a copy of the project, so a broken source never touches the real one.
        const copy = mkdtempSync(path.join(tmpdir(), "build-"));
        try {
            for (const f of ["index.ts", "components", "stacks", "scripts", "policy", "tsconfig.json", "tsconfig.build.json", "package.json", "Pulumi.yaml", "Pulumi.staging.yaml"]) {
                cpSync(path.join(PROJECT_DIR, f), path.join(copy, f), { recursive: true });
            }
            symlinkSync(path.join(PROJECT_DIR, "node_modules"), path.join(copy, "node_modules"));
            const inCopy = (cmd: string, args: string[]) => spawnSync(cmd, args, { cwd: copy, encoding: "utf8" });
            const planStaging = () => inCopy(process.execPath, ["bin/scripts/plan.js", "--stack", "staging"]);
            assert.equal(inCopy("npm", ["run", "-s", "build"]).status, 0);
            assert.equal(planStaging().status, 0);

            writeFileSync(path.join(copy, "stacks/broken.ts"), "export const n: number = \"not a number\";\n");
            assert.notEqual(inCopy("npm", ["run", "-s", "build"]).status, 0, "a type error must fail the build");
            assert.ok(!existsSync(path.join(copy, "bin/stacks/broken.js")), "a failed build writes nothing");
            rmSync(path.join(copy, "stacks/broken.ts"));
            const r = planStaging();
            assert.equal(r.status, 1);
            assert.match(r.stderr, /bin\/ has no build stamp: run `npm run build`/);
        } finally {
            rmSync(copy, { recursive: true, force: true });
        }
    });

    it("refuses to run once the sources differ from what it compiled: the message, no stack trace", () => {
        const good = readFileSync(stamp, "utf8");
        try {
            writeFileSync(stamp, "0".repeat(64));
            const r = run(process.execPath, ["bin/scripts/plan.js", "--stack", "staging"]);
            assert.equal(r.status, 1);
            assert.match(r.stderr, /bin\/ was compiled from different sources than the ones here: run `npm run build`/);
            assert.doesNotMatch(r.stderr, /^\s+at /m);
            assert.equal(r.stdout, "");
            // The compiled policy pack, too, before it starts serving.
            const pack = run(process.execPath, ["bin/policy/index.js"]);
            assert.equal(pack.status, 1);
            assert.match(pack.stderr, /bin\/ was compiled from different sources than the ones here/);
        } finally {
            writeFileSync(stamp, good);
        }
    });
});
