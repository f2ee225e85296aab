// The VPC: public subnets for the ALB and NAT, private subnets for everything else.
// Built from plain aws.ec2 resources rather than awsx.ec2.Vpc so every subnet, route and NAT
// gateway shows in a preview and in the offline plan, where awsx's is one opaque resource.

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { subnetLayout } from "./cidr";

export interface NetworkArgs {
    /** AWS region, for the S3 gateway endpoint's service name. */
    region: string;
    /** VPC CIDR block, /16 to /20. */
    cidr: string;
    /** How many availability zones to span (the first N the region lists). */
    azCount: number;
    /** "perAz": one NAT gateway per AZ; "single": one shared NAT gateway. */
    natGateways: "perAz" | "single";
}

export class Network extends pulumi.ComponentResource {
    readonly vpcId: pulumi.Output<string>;
    readonly vpcCidr: string;
    readonly publicSubnetIds: pulumi.Output<string>[];
    readonly privateSubnetIds: pulumi.Output<string>[];

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mastodon:network:Network", name, {}, opts);
        const p = { parent: this };
        const azs = aws.getAvailabilityZonesOutput({ state: "available" }, p).names;
        const layout = subnetLayout(args.cidr, args.azCount);

        const vpc = new aws.ec2.Vpc(name, {
            cidrBlock: args.cidr,
            enableDnsHostnames: true,
            enableDnsSupport: true,
            tags: { Name: name },
        }, p);
        const igw = new aws.ec2.InternetGateway(name, { vpcId: vpc.id, tags: { Name: name } }, p);

        const publicRoutes = new aws.ec2.RouteTable(`${name}-public`, {
            vpcId: vpc.id,
            routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }],
            tags: { Name: `${name}-public` },
        }, p);

        const publicSubnets = layout.public.map((cidr, i) => {
            const subnet = new aws.ec2.Subnet(`${name}-public-${i}`, {
                vpcId: vpc.id,
                cidrBlock: cidr,
                availabilityZone: azs[i],
                mapPublicIpOnLaunch: false,
                tags: { Name: `${name}-public-${i}`, Tier: "public" },
            }, p);
            new aws.ec2.RouteTableAssociation(`${name}-public-${i}`, { subnetId: subnet.id, routeTableId: publicRoutes.id }, p);
            return subnet;
        });

        const natCount = args.natGateways === "perAz" ? args.azCount : 1;
        const nats = publicSubnets.slice(0, natCount).map((subnet, i) => {
            const eip = new aws.ec2.Eip(`${name}-nat-${i}`, { domain: "vpc", tags: { Name: `${name}-nat-${i}` } }, p);
            return new aws.ec2.NatGateway(`${name}-${i}`, {
                subnetId: subnet.id,
                allocationId: eip.id,
                tags: { Name: `${name}-${i}` },
            }, { parent: this, dependsOn: [igw] });
        });

        const privateRouteTables: aws.ec2.RouteTable[] = [];
        const privateSubnets = layout.private.map((cidr, i) => {
            const subnet = new aws.ec2.Subnet(`${name}-private-${i}`, {
                vpcId: vpc.id,
                cidrBlock: cidr,
                availabilityZone: azs[i],
                mapPublicIpOnLaunch: false,
                tags: { Name: `${name}-private-${i}`, Tier: "private" },
            }, p);
            // Each AZ routes through its own NAT where there is one, so losing an AZ loses only its egress.
            const routes = new aws.ec2.RouteTable(`${name}-private-${i}`, {
                vpcId: vpc.id,
                routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nats[i % nats.length].id }],
                tags: { Name: `${name}-private-${i}` },
            }, p);
            new aws.ec2.RouteTableAssociation(`${name}-private-${i}`, { subnetId: subnet.id, routeTableId: routes.id }, p);
            privateRouteTables.push(routes);
            return subnet;
        });

        // Media uploads and reads go to S3 through this free gateway endpoint instead of paid NAT traffic.
        new aws.ec2.VpcEndpoint(`${name}-s3`, {
            vpcId: vpc.id,
            serviceName: `com.amazonaws.${args.region}.s3`,
            vpcEndpointType: "Gateway",
            routeTableIds: privateRouteTables.map(t => t.id),
            tags: { Name: `${name}-s3` },
        }, p);

        this.vpcId = vpc.id;
        this.vpcCidr = args.cidr;
        this.publicSubnetIds = publicSubnets.map(s => s.id);
        this.privateSubnetIds = privateSubnets.map(s => s.id);
        this.registerOutputs({ vpcId: this.vpcId, publicSubnetIds: this.publicSubnetIds, privateSubnetIds: this.privateSubnetIds });
    }
}
