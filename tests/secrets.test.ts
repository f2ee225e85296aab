// No generated secret value may appear in the plan, the stack outputs or any node's user data.
// The mocks make every secret deterministic, so the test knows each value and searches for it.

import { strict as assert } from "assert";
import { vapidKeysFromScalar } from "../components/secrets";
import { mockBytes, mockSecret } from "../scripts/lib/mocks";
import { renderedNodes } from "../scripts/lib/render";
import { ofType, planOf, STACKS } from "./support/plans";

for (const stack of STACKS) {
    describe(`secrets of ${stack}`, () => {
        it("appear nowhere in the JSON plan, the outputs or the user data", async () => {
            const plan = await planOf(stack);
            const values: string[] = [];
            for (const r of ofType(plan, "random:index/randomPassword:RandomPassword")) values.push(mockSecret(r.name, Number(r.inputs.length)));
            for (const r of ofType(plan, "random:index/randomBytes:RandomBytes")) {
                const bytes = mockBytes(r.name, Number(r.inputs.length));
                values.push(bytes.toString("hex"), bytes.toString("base64"));
                if (r.name.endsWith("vapid-scalar")) values.push(vapidKeysFromScalar(bytes.toString("base64")).privateKey.replace(/=$/, ""));
            }
            assert.ok(values.length >= 10, "expected the generated secrets to be found in the plan");
            const haystacks = {
                plan: JSON.stringify(plan.resources),
                outputs: JSON.stringify(plan.outputs),
                userData: renderedNodes(plan).map(n => n.userData).join("\n"),
            };
            for (const [where, text] of Object.entries(haystacks)) {
                for (const v of values) assert.ok(!text.includes(v), `a generated secret appears in the ${where}`);
            }
        });

        it("are stored only as SecureString parameters, printed as [secret]", async () => {
            const plan = await planOf(stack);
            const params = ofType(plan, "aws:ssm/parameter:Parameter");
            const secure = params.filter(p => p.inputs.type === "SecureString").map(p => String(p.inputs.name).split("/").pop());
            for (const key of ["SECRET_KEY_BASE", "OTP_SECRET", "VAPID_PRIVATE_KEY", "DB_PASS", "REDIS_URL",
                "ACTIVE_RECORD_ENCRYPTION_DETERMINISTIC_KEY", "ACTIVE_RECORD_ENCRYPTION_KEY_DERIVATION_SALT", "ACTIVE_RECORD_ENCRYPTION_PRIMARY_KEY"]) {
                assert.ok(secure.includes(key), `${key} is not a SecureString`);
            }
            for (const p of params.filter(x => x.inputs.type === "SecureString")) assert.equal(p.inputs.value, "[secret]", String(p.inputs.name));
            assert.ok(params.every(p => String(p.inputs.name).startsWith(`/mastodon/${stack}/`)));
            // Plain settings stay readable in a plan, so a reviewer sees what the app will be told.
            const domain = params.find(p => String(p.inputs.name).endsWith("/LOCAL_DOMAIN"))!;
            assert.equal(domain.inputs.type, "String");
            assert.match(String(domain.inputs.insecureValue), /social\.example\.org$/);
        });
    });
}

describe("VAPID keys", () => {
    it("are a valid P-256 pair in the webpush gem's encoding", () => {
        const keys = vapidKeysFromScalar(Buffer.alloc(32, 7).toString("base64"));
        assert.equal(Buffer.from(keys.privateKey, "base64url").length, 32);
        const pub = Buffer.from(keys.publicKey, "base64url");
        assert.equal(pub.length, 65);
        assert.equal(pub[0], 0x04, "uncompressed point");
        assert.match(keys.privateKey, /^[A-Za-z0-9_-]{43}=$/);
    });
});
