// RDS Proxy in front of PostgreSQL: the app's many client connections are multiplexed onto a
// bounded number of server connections, so scaling app instances cannot exhaust
// max_connections. The app must run with PREPARED_STATEMENTS=false (prepared statements pin a
// client to one server connection); migrations connect to the database directly.

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PROXY_MAX_CONNECTIONS_PERCENT } from "../stacks/connections";

export interface DbProxyArgs {
    /** Private subnets for the proxy's endpoints. */
    subnetIds: pulumi.Input<string>[];
    /** The proxy's security group (app tiers in, database out). */
    securityGroupId: pulumi.Input<string>;
    /** The RDS instance identifier to proxy. */
    dbInstanceIdentifier: pulumi.Input<string>;
    /** Database user the proxy logs in as. */
    username: string;
    /** That user's password (secret); stored in Secrets Manager, where RDS Proxy reads it. */
    password: pulumi.Input<string>;
}

export class DbProxy extends pulumi.ComponentResource {
    readonly endpoint: pulumi.Output<string>;

    constructor(name: string, args: DbProxyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mastodon:database:DbProxy", name, {}, opts);
        const p = { parent: this };

        const secret = new aws.secretsmanager.Secret(name, { description: "Mastodon DB credentials for RDS Proxy", recoveryWindowInDays: 7 }, p);
        new aws.secretsmanager.SecretVersion(name, {
            secretId: secret.id,
            secretString: pulumi.secret(pulumi.jsonStringify({ username: args.username, password: args.password })),
        }, p);
        const role = new aws.iam.Role(name, {
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { Service: "rds.amazonaws.com" }, Action: "sts:AssumeRole" }],
            }),
        }, p);
        new aws.iam.RolePolicy(name, {
            role: role.name,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [{ Sid: "ReadDbCredentials", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secret.arn }],
            }),
        }, p);

        const proxy = new aws.rds.Proxy(name, {
            engineFamily: "POSTGRESQL",
            requireTls: true,
            roleArn: role.arn,
            vpcSubnetIds: args.subnetIds,
            vpcSecurityGroupIds: [args.securityGroupId],
            idleClientTimeout: 1800,
            auths: [{ authScheme: "SECRETS", secretArn: secret.arn, iamAuth: "DISABLED", clientPasswordAuthType: "POSTGRES_SCRAM_SHA_256" }],
        }, p);
        const targets = new aws.rds.ProxyDefaultTargetGroup(name, {
            dbProxyName: proxy.name,
            connectionPoolConfig: { maxConnectionsPercent: PROXY_MAX_CONNECTIONS_PERCENT, maxIdleConnectionsPercent: 50, connectionBorrowTimeout: 120 },
        }, p);
        new aws.rds.ProxyTarget(name, { dbProxyName: proxy.name, targetGroupName: targets.name, dbInstanceIdentifier: args.dbInstanceIdentifier }, p);

        this.endpoint = proxy.endpoint;
        this.registerOutputs({ endpoint: this.endpoint });
    }
}
