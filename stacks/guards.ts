// Rules across keys: the article's hard lessons, refused before anything is created.
// Each records a problem on the Reader naming the key to change and how.

import { Architecture, INSTANCE_FAMILIES, isBurstableClass, MASTODON_QUEUES } from "./catalog";
import { connectionBudget } from "./connections";
import { Reader } from "./reader";
import { roleGroups } from "./roles";
import { EnvironmentConfig, SidekiqGroupConfig } from "./schema";

export function applyGuards(r: Reader, env: EnvironmentConfig): void {
    checkQueues(r, env.sidekiq);
    checkImageCoversArchitectures(r, env);
    if (env.production) checkProduction(r, env);
    checkConnectionBudget(r, env);
}

/**
 * Every queue served, by one group unless every group serving it says so (sharedQueues); the
 * scheduler in exactly one process of one on-demand instance.
 */
function checkQueues(r: Reader, groups: SidekiqGroupConfig[]): void {
    const names = groups.map(g => g.name);
    names.forEach((n, i) => { if (n && names.indexOf(n) !== i) r.fail(`sidekiq[${i}].name`, n, "names must be unique; another group already uses it"); });
    for (const q of MASTODON_QUEUES) {
        const by = groups.filter(g => g.queues.includes(q));
        if (by.length === 0) r.fail("sidekiq", q, `queue "${q}" is served by no group; its jobs would pile up silently. Add it to a group's queues`);
        const onPurpose = by.every(g => g.sharedQueues.includes(q)) && q !== "scheduler";
        if (by.length > 1 && !onPurpose) {
            r.fail("sidekiq", q, `queue "${q}" is served by groups ${by.map(g => g.name).join(", ")}; give each queue one group so it is sized in one place, or list "${q}" in sharedQueues of each of them to mean it`);
        }
    }
    groups.forEach((g, i) => {
        // A group's own nodes publish the latency it scales on: at zero instances it could never scale out.
        if (g.min < 1) r.fail(`sidekiq[${i}].min`, g.min, "a Sidekiq group needs min 1 or more: its nodes publish the queue latency it scales on");
        if (!g.queues.includes("scheduler")) return;
        const path = `sidekiq[${i}]`;
        if (g.max !== 1 || g.min !== 1) r.fail(`${path}.max`, g.max, "the group serving \"scheduler\" must have min 1 and max 1: Mastodon's scheduler must run in exactly one process");
        if (g.processes !== 1) r.fail(`${path}.processes`, g.processes, "the group serving \"scheduler\" must run 1 process per instance");
        if (g.onDemandBase < 1) r.fail(`${path}.onDemandBase`, g.onDemandBase, "the group serving \"scheduler\" must be on-demand (onDemandBase: 1), so a spot reclaim never stops scheduled jobs");
    });
}

/** A role whose architecture has no fixed AMI id needs the name filter to look one up. */
function checkImageCoversArchitectures(r: Reader, env: EnvironmentConfig): void {
    const archs = new Set<Architecture>();
    for (const { capacity } of roleGroups(env)) {
        const f = INSTANCE_FAMILIES[capacity.families[0]];
        if (f) archs.add(f.architecture);
    }
    const missing = [...archs].filter(a => !env.image.amiIds[a]);
    if (missing.length > 0 && !env.image.name) {
        r.fail("image.name", env.image.name || undefined, `required to look up the ${missing.join(" and ")} image (or set image.amiIds.${missing[0]}); e.g. "mastodon-4.5.*"`);
    }
}

/** Production: no burstable classes (the article's t2 collapse) and no single-AZ data, unless allowed. */
function checkProduction(r: Reader, env: EnvironmentConfig): void {
    const why = `production (mastodon:production) refuses it`;
    if (!env.allow.burstable) {
        const optIn = "use a fixed-performance family, or set mastodon:allow.burstable: true to accept it";
        for (const { path, capacity } of roleGroups(env)) {
            if (capacity.families.some(f => INSTANCE_FAMILIES[f]?.burstable)) r.fail(`${path}.families`, capacity.families, `burstable instances stalled the article's production when CPU credits ran out; ${why}: ${optIn}`);
        }
        for (const [path, cls] of [["database.instanceClass", env.database.instanceClass], ["cache.nodeType", env.cache.nodeType]]) {
            if (isBurstableClass(cls)) r.fail(path, cls, `a burstable class runs on CPU credits; ${why}: ${optIn}`);
        }
    }
    if (!env.allow.singleAz) {
        const optIn = "or set mastodon:allow.singleAz: true to accept losing it with one AZ";
        if (!env.database.multiAz) r.fail("database.multiAz", false, `a single-AZ database; ${why}: set it true, ${optIn}`);
        if (env.cache.replicas < 1) r.fail("cache.replicas", env.cache.replicas, `a cache with no replica has no failover; ${why}: set 1 or more, ${optIn}`);
    }
}

function checkConnectionBudget(r: Reader, env: EnvironmentConfig): void {
    if (r.problems.length > 0) return; // the budget of a config with other mistakes means nothing
    const b = connectionBudget(env);
    if (b.fits) return;
    const shares = b.shares.map(s => `${s.role} ${s.connections}`).join(", ");
    r.fail("database.instanceClass", env.database.instanceClass,
        `at peak size (max, plus AWS's rebalancing overshoot) the app can open ${b.total} PostgreSQL connections (${shares}, reserved ${b.reserved}) but ${b.limitSource} allows ${b.limit}. ` +
        "Ways out: lower max, threads, pumaThreads or dbPool; fewer processes; a larger database.instanceClass; " +
        "or a pooler (database.pooler: rdsProxy)");
}
