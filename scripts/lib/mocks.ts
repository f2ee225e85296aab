// Pulumi mocks that answer like AWS would: every resource gets an id, an ARN and the outputs
// the program reads (endpoints, DNS names, template versions), and every data source answers.
// Values are deterministic so two plans of one config are identical and can be diffed.

import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";

export const MOCK_ACCOUNT = "123456789012";

const digest = (seed: string): Buffer => createHash("sha256").update(seed).digest();
const hex = (seed: string, length: number): string => {
    let out = "";
    for (let i = 0; out.length < length; i++) out += digest(`${seed}#${i}`).toString("hex");
    return out.slice(0, length);
};

/** Deterministic stand-ins for generated secrets; tests search the plan for them. */
export function mockSecret(name: string, length: number): string {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    return [...digest(`secret:${name}`).toString("hex").repeat(Math.ceil(length / 64) + 1)].slice(0, length)
        .map((c, i) => alphabet[(parseInt(c, 16) * 7 + i) % alphabet.length]).join("");
}

export function mockBytes(name: string, length: number): Buffer {
    return Buffer.from(hex(`bytes:${name}`, length * 2), "hex");
}

/** The module name in a type token: "aws:rds/instance:Instance" -> "rds". */
const serviceOf = (type: string): string => type.split(":")[1]?.split("/")[0] ?? "mock";

export class OfflineMocks implements pulumi.runtime.Mocks {
    constructor(private readonly region: string) {}

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
        const { type, name, inputs } = args;
        const id = `${name}-${hex(type + name, 8)}`;
        const arn = `arn:aws:${serviceOf(type)}:${this.region}:${MOCK_ACCOUNT}:${name}`;
        const state: Record<string, unknown> = { ...inputs, arn, name: inputs.name ?? id };
        switch (type) {
            case "aws:ec2/launchTemplate:LaunchTemplate":
                return { id: `lt-${hex(name, 17)}`, state: { ...state, latestVersion: 1, defaultVersion: 1 } };
            case "aws:lb/loadBalancer:LoadBalancer":
                return { id: arn, state: { ...state, dnsName: `${name}-${hex(name, 10)}.${this.region}.elb.amazonaws.com`, zoneId: "Z14GRHDCWA56QT", arnSuffix: `app/${name}/${hex(name, 16)}` } };
            case "aws:lb/targetGroup:TargetGroup":
                return { id: arn, state: { ...state, arnSuffix: `targetgroup/${name}/${hex(name, 16)}` } };
            case "aws:rds/instance:Instance":
                return { id, state: { ...state, address: `${id}.${hex(name, 12)}.${this.region}.rds.amazonaws.com`, port: 5432, identifier: id } };
            case "aws:rds/proxy:Proxy":
                return { id: name, state: { ...state, endpoint: `${name}.proxy-${hex(name, 12)}.${this.region}.rds.amazonaws.com` } };
            case "aws:elasticache/replicationGroup:ReplicationGroup":
                return { id, state: { ...state, primaryEndpointAddress: `master.${id}.${hex(name, 6)}.apne1.cache.amazonaws.com`, port: inputs.port ?? 6379 } };
            case "aws:s3/bucket:Bucket":
                return { id, state: { ...state, bucket: id, arn: `arn:aws:s3:::${id}`, bucketRegionalDomainName: `${id}.s3.${this.region}.amazonaws.com` } };
            case "aws:cloudfront/distribution:Distribution":
                return { id: `E${hex(name, 13).toUpperCase()}`, state: { ...state, domainName: `d${hex(name, 13)}.cloudfront.net` } };
            case "aws:acm/certificate:Certificate":
                return { id: arn, state: { ...state, domainValidationOptions: [{ domainName: inputs.domainName, resourceRecordName: `_${hex(name, 32)}.${inputs.domainName}.`, resourceRecordType: "CNAME", resourceRecordValue: `_${hex(name + "v", 32)}.acm-validations.aws.` }] } };
            case "aws:acm/certificateValidation:CertificateValidation":
                return { id, state: { ...state, certificateArn: inputs.certificateArn } };
            case "aws:route53/record:Record":
                return { id, state: { ...state, fqdn: String(inputs.name).replace(/\.$/, "") } };
            case "random:index/randomPassword:RandomPassword":
                return { id, state: { ...state, result: mockSecret(name, Number(inputs.length)) } };
            case "random:index/randomBytes:RandomBytes": {
                const bytes = mockBytes(name, Number(inputs.length));
                return { id, state: { ...state, base64: bytes.toString("base64"), hex: bytes.toString("hex") } };
            }
            default:
                return { id, state };
        }
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        const { token, inputs } = args;
        switch (token) {
            case "aws:index/getAvailabilityZones:getAvailabilityZones":
                return { names: ["a", "c", "d"].map(z => `${this.region}${z}`), zoneIds: ["az4", "az1", "az2"].map(z => `apne1-${z}`), id: this.region };
            case "aws:ec2/getAmi:getAmi": {
                const filters = (inputs.filters ?? []) as { name: string; values: string[] }[];
                const arch = filters.find(f => f.name === "architecture")?.values[0] ?? "x86_64";
                const pinned = filters.find(f => f.name === "image-id")?.values[0];
                return { id: pinned ?? `ami-${hex(JSON.stringify(filters), 17)}`, architecture: arch, rootDeviceName: "/dev/xvda", name: "mastodon-offline" };
            }
            case "aws:route53/getZone:getZone":
                return { zoneId: `Z${hex(String(inputs.name), 20).toUpperCase()}`, name: inputs.name, id: `Z${hex(String(inputs.name), 20).toUpperCase()}` };
            case "aws:index/getCallerIdentity:getCallerIdentity":
                return { accountId: MOCK_ACCOUNT, arn: `arn:aws:iam::${MOCK_ACCOUNT}:user/offline`, userId: "OFFLINE", id: MOCK_ACCOUNT };
            case "aws:index/getRegion:getRegion":
                return { name: this.region, region: this.region, id: this.region, endpoint: `ec2.${this.region}.amazonaws.com` };
            case "aws:index/getPartition:getPartition":
                return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
            default:
                throw new Error(`the offline plan has no answer for data source ${token}; add one in scripts/lib/mocks.ts`);
        }
    }
}
