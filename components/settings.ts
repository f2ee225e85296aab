// Mastodon's environment, stored in SSM Parameter Store under /mastodon/<stack>/. Instances
// read the whole path at boot into .env.production; nothing of it travels in user data.
// Secret values are SecureString; an operator can add more (e.g. SMTP_PASSWORD) by hand.

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

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

export class AppSettings extends pulumi.ComponentResource {
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
        this.registerOutputs({});
    }
}
