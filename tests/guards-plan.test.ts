// What the guards add to the plan: CPU credit alarms wherever burstable capacity runs, RDS
// Proxy when the budget needs a pooler, and a max_connections set in the parameter group.

import { strict as assert } from "assert";
import { Raw } from "../stacks/reader";
import { Plan } from "../scripts/lib/offline";
import { inputWith, ofType, one, planInput, planOf } from "./support/plans";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const creditAlarms = (plan: Plan) => ofType(plan, ALARM).filter(a => a.inputs.metricName === "CPUCreditBalance");

describe("CPU credit alarms", () => {
    it("watch every burstable group, the burstable database and each burstable cache node in staging", async () => {
        const plan = await planOf("staging");
        const watched = creditAlarms(plan).map(a => `${a.inputs.namespace} ${Object.keys(a.inputs.dimensions as object)[0]}`).sort();
        assert.deepEqual(watched, [
            "AWS/EC2 AutoScalingGroupName", "AWS/EC2 AutoScalingGroupName", "AWS/EC2 AutoScalingGroupName", "AWS/EC2 AutoScalingGroupName",
            "AWS/ElastiCache CacheClusterId", "AWS/RDS DBInstanceIdentifier",
        ]);
        const topic = one(plan, "aws:sns/topic:Topic", "mastodon-staging");
        for (const a of creditAlarms(plan)) {
            assert.deepEqual(a.inputs.alarmActions, ["arn:aws:sns:ap-northeast-1:123456789012:mastodon-staging"]);
            assert.match(String(a.inputs.alarmDescription), /cpu-credit-balance\.md/);
        }
        // A customer-managed key CloudWatch may use: with the AWS-managed SNS key, alarms are dropped.
        const key = one(plan, "aws:kms/key:Key", "mastodon-staging");
        assert.equal(topic.inputs.kmsMasterKeyId, key.id);
        const policy = JSON.parse(String(key.inputs.policy));
        assert.ok(policy.Statement.some((st: { Principal: { Service?: string }; Action: string[] }) =>
            st.Principal.Service === "cloudwatch.amazonaws.com" && st.Action.includes("kms:GenerateDataKey*")));
    });

    it("are absent where nothing is burstable (prod)", async () => {
        assert.equal(creditAlarms(await planOf("prod")).length, 0);
    });
});

describe("a prod config that needs a pooler", () => {
    let plan: Plan;
    before(async () => {
        plan = await planInput(inputWith("prod", (raw: Raw) => {
            (raw.web as Raw).max = 100;
            (raw.database as Raw).pooler = "rdsProxy";
        }));
    });

    it("puts RDS Proxy in front of the database with TLS and a bounded pool", () => {
        const proxy = one(plan, "aws:rds/proxy:Proxy", "mastodon-prod").inputs;
        assert.equal(proxy.engineFamily, "POSTGRESQL");
        assert.equal(proxy.requireTls, true);
        const pool = one(plan, "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup", "mastodon-prod").inputs;
        assert.equal((pool.connectionPoolConfig as Raw).maxConnectionsPercent, 90);
        assert.equal(one(plan, "aws:secretsmanager/secretVersion:SecretVersion", "mastodon-prod").inputs.secretString, "[secret]");
    });

    it("points the app at the proxy without prepared statements, and migrations at the database", () => {
        const param = (key: string) => one(plan, "aws:ssm/parameter:Parameter", `mastodon-prod-${key.toLowerCase().replace(/_/g, "-")}`).inputs.insecureValue;
        assert.match(String(param("DB_HOST")), /^mastodon-prod\.proxy-\w+\.ap-northeast-1\.rds\.amazonaws\.com$/);
        assert.notEqual(param("DB_HOST"), param("MIGRATION_DB_HOST"));
        assert.match(String(param("MIGRATION_DB_HOST")), /\.rds\.amazonaws\.com$/);
        assert.equal(param("PREPARED_STATEMENTS"), "false");
    });

    it("lets every app tier reach the proxy, keeping direct paths for migrations and the switch-over", () => {
        const sgs = Object.fromEntries(ofType(plan, "aws:ec2/securityGroup:SecurityGroup").map(g => [g.id, g.name.replace("mastodon-prod-", "")]));
        const into = (target: string) => ofType(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
            .filter(r => sgs[String(r.inputs.securityGroupId)] === target).map(r => sgs[String(r.inputs.referencedSecurityGroupId)]).sort();
        assert.deepEqual(into("database"), ["db-proxy", "sidekiq", "streaming", "web"]);
        assert.deepEqual(into("db-proxy"), ["sidekiq", "streaming", "web"]);
    });
});

describe("max_connections from config", () => {
    it("is set in the parameter group, applied at the next reboot", async () => {
        const plan = await planInput(inputWith("prod", (raw: Raw) => { (raw.database as Raw).maxConnections = 6000; }));
        const params = one(plan, "aws:rds/parameterGroup:ParameterGroup", "mastodon-prod").inputs.parameters as Raw[];
        assert.deepEqual(params.find(x => x.name === "max_connections"), { name: "max_connections", value: "6000", applyMethod: "pending-reboot" });
    });
});
