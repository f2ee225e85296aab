// The state backend bootstrap, run against a stubbed AWS CLI: it creates what is missing,
// keeps what exists, always applies the bucket's protections, and says which it did.

import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { chmodSync, readFileSync, rmSync, writeFileSync } from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../scripts/lib/stackFile";
import { requireTool, run, scratchDir } from "./support/tools";

const SCRIPT = path.join(PROJECT_DIR, "scripts/bootstrap-backend.sh");

/** Runs the script with an `aws` stub; `exists` says whether the key and bucket already exist. */
function bootstrap(exists: boolean, ...args: string[]) {
    const dir = scratchDir("bootstrap-");
    try {
        const log = path.join(dir, "aws.log");
        writeFileSync(path.join(dir, "aws"), `#!/bin/sh
echo "$*" >> ${log}
case "$*" in
  "kms describe-key"*) ${exists ? 'echo "arn:aws:kms:ap-northeast-1:123456789012:key/existing"' : "exit 254"} ;;
  "s3api head-bucket"*) ${exists ? "exit 0" : "exit 254"} ;;
  "kms create-key"*) echo "arn:aws:kms:ap-northeast-1:123456789012:key/new" ;;
esac
`);
        chmodSync(path.join(dir, "aws"), 0o755);
        const r = spawnSync("sh", [SCRIPT, ...args], { encoding: "utf8", env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });
        let calls: string[] = [];
        try { calls = readFileSync(log, "utf8").trim().split("\n"); } catch { /* no call made */ }
        return { code: r.status, out: r.stdout, err: r.stderr, calls };
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

const ARGS = ["--bucket", "acme-pulumi-state", "--region", "ap-northeast-1"];

describe("scripts/bootstrap-backend.sh", () => {
    it("passes shellcheck", () => {
        requireTool("shellcheck", "shellcheck");
        const r = run("shellcheck", ["-s", "sh", SCRIPT]);
        assert.equal(r.code, 0, r.output);
    });

    it("creates the key and a locked-down, versioned, encrypted bucket, and says so", () => {
        const r = bootstrap(false, ...ARGS);
        assert.equal(r.code, 0, r.err);
        assert.match(r.out, /kms key: {2}created alias\/mastodon-pulumi/);
        assert.match(r.out, /bucket: {3}created s3:\/\/acme-pulumi-state/);
        const did = (prefix: string) => r.calls.find(c => c.startsWith(prefix));
        assert.ok(did("kms create-alias --region ap-northeast-1 --alias-name alias/mastodon-pulumi --target-key-id arn:aws:kms:ap-northeast-1:123456789012:key/new"));
        assert.ok(did("kms enable-key-rotation"));
        assert.ok(did("s3api create-bucket --bucket acme-pulumi-state --region ap-northeast-1 --create-bucket-configuration LocationConstraint=ap-northeast-1"));
        assert.ok(did("s3api put-bucket-versioning --bucket acme-pulumi-state --versioning-configuration Status=Enabled"));
        assert.match(did("s3api put-bucket-encryption")!, /"SSEAlgorithm":"aws:kms","KMSMasterKeyID":"arn:aws:kms:ap-northeast-1:123456789012:key\/new"/);
        assert.match(did("s3api put-public-access-block")!, /BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true/);
        assert.match(did("s3api put-bucket-policy")!, /"Effect":"Deny".*"aws:SecureTransport":"false"/);
        assert.match(r.out, /pulumi login 's3:\/\/acme-pulumi-state\?region=ap-northeast-1'/);
        assert.match(r.out, /--secrets-provider 'awskms:\/\/alias\/mastodon-pulumi\?region=ap-northeast-1'/);
    });

    it("keeps an existing key and bucket, and still applies the protections", () => {
        const r = bootstrap(true, ...ARGS);
        assert.equal(r.code, 0, r.err);
        assert.match(r.out, /kms key: {2}alias\/mastodon-pulumi already existed/);
        assert.match(r.out, /bucket: {3}s3:\/\/acme-pulumi-state already existed/);
        assert.ok(!r.calls.some(c => c.startsWith("kms create-key") || c.startsWith("s3api create-bucket")));
        assert.ok(r.calls.some(c => c.startsWith("s3api put-bucket-policy")));
        assert.match(r.calls.find(c => c.startsWith("s3api put-bucket-encryption"))!, /key\/existing/);
    });

    it("refuses missing arguments without calling AWS", () => {
        const r = bootstrap(false, "--bucket", "x");
        assert.equal(r.code, 2);
        assert.match(r.err, /^usage: /);
        assert.deepEqual(r.calls, []);
    });
});
