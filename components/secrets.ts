// The app's generated secrets. Each value is wrapped in pulumi.secret() explicitly, so it is
// encrypted in state and printed as [secret] everywhere, whatever the provider declares.

import * as random from "@pulumi/random";
import * as pulumi from "@pulumi/pulumi";
import { createECDH } from "crypto";

/** A VAPID key pair in the encoding `rake mastodon:webpush:generate_vapid_key` prints. */
export interface VapidKeys {
    privateKey: string;
    publicKey: string;
}

/**
 * Derives the VAPID (EC P-256) key pair from a 32-byte private scalar: urlsafe base64 of the
 * scalar, and of the uncompressed public point, as Mastodon's webpush gem reads them.
 */
export function vapidKeysFromScalar(scalarBase64: string): VapidKeys {
    const scalar = Buffer.from(scalarBase64, "base64");
    if (scalar.length !== 32) throw new Error(`a P-256 private key is 32 bytes, got ${scalar.length}`);
    const ecdh = createECDH("prime256v1");
    ecdh.setPrivateKey(scalar); // throws for the (2^-32 likely) scalar outside the curve's order
    return { privateKey: scalar.toString("base64url") + "=", publicKey: ecdh.getPublicKey().toString("base64url") + "=" };
}

export class AppSecrets extends pulumi.ComponentResource {
    /** Master password of the RDS instance (DB_PASS). */
    readonly dbPassword: pulumi.Output<string>;
    /** ElastiCache AUTH token, inside REDIS_URL. */
    readonly redisAuthToken: pulumi.Output<string>;
    /** The Mastodon secrets by env var name, all secret. */
    readonly app: Record<string, pulumi.Output<string>>;
    /** VAPID_PUBLIC_KEY: public by nature, so not secret. */
    readonly vapidPublicKey: pulumi.Output<string>;

    /**
     * @param protect Protect the generated values: a replaced SECRET_KEY_BASE logs everyone out, and
     *   replaced ActiveRecord encryption keys make encrypted columns unreadable. Default false.
     */
    constructor(name: string, args: { protect?: boolean } = {}, opts?: pulumi.ComponentResourceOptions) {
        super("mastodon:secrets:AppSecrets", name, {}, opts);
        const p = { parent: this, protect: args.protect, retainOnDelete: args.protect };
        // Letters and digits only: these end up in URLs and env files unescaped.
        const password = (id: string, length: number) =>
            pulumi.secret(new random.RandomPassword(`${name}-${id}`, { length, special: false }, p).result);
        const hex = (id: string, bytes: number) =>
            pulumi.secret(new random.RandomBytes(`${name}-${id}`, { length: bytes }, p).hex);

        this.dbPassword = password("db-password", 40);
        this.redisAuthToken = password("redis-auth-token", 64);
        const vapid = pulumi.secret(new random.RandomBytes(`${name}-vapid-scalar`, { length: 32 }, p).base64).apply(vapidKeysFromScalar);
        this.app = {
            // What `rails secret` makes: 64 random bytes as hex.
            SECRET_KEY_BASE: hex("secret-key-base", 64),
            OTP_SECRET: hex("otp-secret", 64),
            // What `rails db:encryption:init` makes: 32 alphanumerics each.
            ACTIVE_RECORD_ENCRYPTION_DETERMINISTIC_KEY: password("ar-deterministic-key", 32),
            ACTIVE_RECORD_ENCRYPTION_KEY_DERIVATION_SALT: password("ar-key-derivation-salt", 32),
            ACTIVE_RECORD_ENCRYPTION_PRIMARY_KEY: password("ar-primary-key", 32),
            VAPID_PRIVATE_KEY: pulumi.secret(vapid.privateKey),
        };
        this.vapidPublicKey = pulumi.unsecret(vapid.publicKey);
        this.registerOutputs({});
    }
}
