// Mastodon's environment, stored in SSM Parameter Store under /mastodon/<stack>/. Instances
// read the whole path at boot into .env.production; nothing of it travels in user data.
// Secret values are SecureString; an operator can add more (e.g. SMTP_PASSWORD) by hand.

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";

export interface AppSettingsArgs {
    /** SSM path prefix, e.g. /mastodon/prod (no trailing slash). */
    path: string;
    /** Plain settings by env var name (stored as String). */
    settings: Record<string, pulumi.Input<string>>;
    /** Secret settings by env var name (stored as SecureString). */
    secrets: Record<string, pulumi.Input<string>>;
}

/** The SSM path of a stack's settings. */
export function settingsPath(stack: string): string {
    return `/mastodon/${stack}`;
}

/** A short digest of every setting, in key order; changes whenever any value does. */
export function settingsDigest(values: Record<string, string>): string {
    const canonical = Object.keys(values).sort().map(k => `${k}=${values[k]}`).join("\n");
    return createHash("sha256").update(canonical).digest("hex").slice(0, 16);
}

export class AppSettings extends pulumi.ComponentResource {
    /**
     * Digest of all settings and secrets. Nodes read settings only at boot, so the tiers put
     * this in their user data: a changed setting rolls the groups. A digest reveals no value.
     */
    readonly revision: pulumi.Output<string>;

    constructor(name: string, args: AppSettingsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mastodon:settings:AppSettings", name, {}, opts);
        const put = (key: string, value: pulumi.Input<string>, secure: boolean) =>
            new aws.ssm.Parameter(`${name}-${key.toLowerCase().replace(/_/g, "-")}`, {
                name: `${args.path}/${key}`,
                type: secure ? "SecureString" : "String",
                // The provider marks `value` secret; plain settings go in insecureValue so a plan shows them.
                ...(secure ? { value: pulumi.secret(value) } : { insecureValue: value }),
                tier: "Standard",
            }, { parent: this });
        for (const [k, v] of Object.entries(args.settings)) put(k, v, false);
        for (const [k, v] of Object.entries(args.secrets)) put(k, v, true);
        this.revision = pulumi.unsecret(pulumi.output({ ...args.settings, ...args.secrets }).apply(settingsDigest));
        this.registerOutputs({ revision: this.revision });
    }
}
