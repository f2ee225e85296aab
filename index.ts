// The Pulumi program: validate this stack's config, then build the environment it describes.
// A config mistake stops here with a message naming the stack and key, before any resource.

import { createEnvironment } from "./stacks/environment";
import { loadEnvironment } from "./stacks/load";

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
