// The policy pack: `pulumi preview --policy-pack policy` runs every rule in policies.ts, compiled
// into bin/policy/ by `npm run build` (policy/package.json's main), since Pulumi type-checks a
// TypeScript pack on every run. Importing this file starts the policy server, so tests import
// policies.ts instead.

import { PolicyPack } from "@pulumi/policy";
import * as path from "path";
import { assertFreshBuild } from "../stacks/freshness";
import { resourcePolicies, stackPolicies } from "./policies";

assertFreshBuild(__filename, path.join(__dirname, ".."));

new PolicyPack("mastodon-aws", { policies: [...resourcePolicies, ...stackPolicies] });
