// The autoscaling groups of an environment, in one list: web, streaming, then each Sidekiq
// queue group. Everything that walks "every group" walks this.

import { CapacityConfig, EnvironmentConfig } from "./schema";

export interface RoleGroup {
    /** "web", "streaming" or "sidekiq-<group>": the resize command's --role and the resource name suffix. */
    role: string;
    /** Where its config sits under `mastodon:`, e.g. "sidekiq[2]". */
    path: string;
    /** Its families, size, counts and spot mix. */
    capacity: CapacityConfig;
}

export function roleGroups(env: Pick<EnvironmentConfig, "web" | "streaming" | "sidekiq">): RoleGroup[] {
    return [
        { role: "web", path: "web", capacity: env.web },
        { role: "streaming", path: "streaming", capacity: env.streaming },
        ...env.sidekiq.map((g, i) => ({ role: `sidekiq-${g.name}`, path: `sidekiq[${i}]`, capacity: g })),
    ];
}
