// Subnet arithmetic for the VPC, as pure functions.

function toInt(ip: string): number {
    return ip.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
}

function toIp(n: number): string {
    return [24, 16, 8, 0].map(shift => Math.floor(n / 2 ** shift) % 256).join(".");
}

/** The `index`-th block of prefix length `newPrefix` inside `cidr`. */
export function subnetOf(cidr: string, newPrefix: number, index: number): string {
    const [ip, prefix] = cidr.split("/");
    const bits = newPrefix - Number(prefix);
    if (bits < 0 || index < 0 || index >= 2 ** bits) throw new Error(`${cidr} has no block ${index} of /${newPrefix}`);
    return `${toIp(toInt(ip) + index * 2 ** (32 - newPrefix))}/${newPrefix}`;
}

/**
 * Private subnets take an eighth of the VPC each (room for thousands of instances per AZ);
 * public subnets, which hold only the ALB and NAT gateways, share the seventh eighth.
 * Up to six AZs fit without overlap.
 */
export function subnetLayout(cidr: string, azCount: number): { public: string[]; private: string[] } {
    const prefix = Number(cidr.split("/")[1]);
    const azs = [...Array(azCount).keys()];
    return {
        private: azs.map(i => subnetOf(cidr, prefix + 3, i)),
        public: azs.map(i => subnetOf(cidr, prefix + 6, 6 * 8 + i)),
    };
}
