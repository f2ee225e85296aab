// The Pulumi program: validate this stack's config, then build the environment it describes.
// A config mistake stops here with a message naming the stack and key, before any resource.
// Compiled (bin/index.js, what `pulumi up` runs), it first refuses to run if stale.

import { createEnvironment } from "./stacks/environment";
import { assertFreshBuild } from "./stacks/freshness";
import { loadEnvironment } from "./stacks/load";

assertFreshBuild(__filename, __dirname);
const outputs = createEnvironment(loadEnvironment());

export const url = outputs.url;
export const albDnsName = outputs.albDnsName;
export const mediaCdnDomain = outputs.mediaCdnDomain;
export const mediaBucket = outputs.mediaBucket;
export const databaseAddress = outputs.databaseAddress;
export const redisEndpoint = outputs.redisEndpoint;
export const settingsPath = outputs.settingsPath;
export const autoscalingGroups = outputs.autoscalingGroups;
export const alarmTopicArn = outputs.alarmTopicArn;
export const dashboardName = outputs.dashboardName;
