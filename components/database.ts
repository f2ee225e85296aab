// RDS PostgreSQL: private, encrypted, backed up, protected. Its class is the connection
// ceiling the whole deployment is budgeted against (see stacks/connections.ts).

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface DatabaseArgs {
    /** Private subnets for the DB subnet group (two AZs at least). */
    subnetIds: pulumi.Input<string>[];
    /** Security group that admits the app tiers on 5432. */
    securityGroupId: pulumi.Input<string>;
    /** RDS instance class, e.g. db.r7g.2xlarge. */
    instanceClass: string;
    /** PostgreSQL version, "16" or "16.4"; the parameter group family follows its major. */
    engineVersion: string;
    /** Allocated storage in GiB. */
    storageGb: number;
    /** Storage autoscaling ceiling in GiB. */
    maxStorageGb: number;
    /** Synchronous standby in a second AZ. */
    multiAz: boolean;
    /** Days of automated backups (7-35). */
    backupRetentionDays: number;
    /** Refuse deletion at the AWS API. */
    deletionProtection: boolean;
    /** Master password (generated, secret). */
    password: pulumi.Input<string>;
    /** max_connections to set in the parameter group (takes a reboot); 0 keeps AWS's default. Default 0. */
    maxConnections?: number;
    /** Also `protect` the instance in Pulumi state. Default false. */
    protect?: boolean;
}

/** Database name and user Mastodon connects as (DB_NAME, DB_USER). */
export const DB_NAME = "mastodon_production";
export const DB_USER = "mastodon";

/** RDS parameter group family for a PostgreSQL version: "16.4" -> "postgres16". */
export function parameterGroupFamily(engineVersion: string): string {
    return `postgres${engineVersion.split(".")[0]}`;
}

export class Database extends pulumi.ComponentResource {
    readonly address: pulumi.Output<string>;
    readonly port: pulumi.Output<number>;
    readonly instanceId: pulumi.Output<string>;

    constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mastodon:database:Database", name, {}, opts);
        const p = { parent: this };
        const subnets = new aws.rds.SubnetGroup(name, { subnetIds: args.subnetIds, tags: { Name: name } }, p);
        const params = new aws.rds.ParameterGroup(name, {
            family: parameterGroupFamily(args.engineVersion),
            description: `Mastodon PostgreSQL ${args.engineVersion}`,
            parameters: [
                // Slow queries are what the article's team chased; log them.
                { name: "log_min_duration_statement", value: "1000" },
                { name: "log_lock_waits", value: "1" },
                // Mastodon connects with TLS; refuse plain-text connections.
                { name: "rds.force_ssl", value: "1" },
                ...(args.maxConnections ? [{ name: "max_connections", value: String(args.maxConnections), applyMethod: "pending-reboot" }] : []),
            ],
        }, p);
        const db = new aws.rds.Instance(name, {
            engine: "postgres",
            engineVersion: args.engineVersion,
            instanceClass: args.instanceClass,
            allocatedStorage: args.storageGb,
            maxAllocatedStorage: args.maxStorageGb,
            storageType: "gp3",
            storageEncrypted: true,
            multiAz: args.multiAz,
            dbName: DB_NAME,
            username: DB_USER,
            password: args.password,
            dbSubnetGroupName: subnets.name,
            parameterGroupName: params.name,
            vpcSecurityGroupIds: [args.securityGroupId],
            publiclyAccessible: false,
            backupRetentionPeriod: args.backupRetentionDays,
            deletionProtection: args.deletionProtection,
            skipFinalSnapshot: false,
            finalSnapshotIdentifier: `${name}-final`,
            copyTagsToSnapshot: true,
            autoMinorVersionUpgrade: true,
            // A class change waits for the maintenance window instead of restarting the DB mid-day.
            applyImmediately: false,
            // Performance Insights is not offered on the two smallest classes.
            performanceInsightsEnabled: !/^db\.t\dg?\.(micro|small)$/.test(args.instanceClass),
            enabledCloudwatchLogsExports: ["postgresql"],
            tags: { Name: name },
        }, { parent: this, protect: args.protect });

        this.address = db.address;
        this.port = db.port;
        this.instanceId = db.identifier;
        this.registerOutputs({ address: this.address, port: this.port });
    }
}
