// The policy pack: `pulumi preview --policy-pack policy` runs every rule in policies.ts.
// Importing this file starts the policy server, so tests import policies.ts instead.

import { PolicyPack } from "@pulumi/policy";
import { resourcePolicies, stackPolicies } from "./policies";

new PolicyPack("mastodon-aws", { policies: [...resourcePolicies, ...stackPolicies] });
