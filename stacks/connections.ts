// The worst-case PostgreSQL connection count. PostgreSQL forks a process per connection, and
// the article's database fell over when app instances were scaled up; so the budget counts
// every group at its peak size, against the class's max_connections.

import { DB_CLASS_MEMORY_GIB, defaultMaxConnections } from "./catalog";
import { EnvironmentConfig } from "./schema";

/** Connections kept free for migrations, `rails console`, monitoring and RDS itself. */
export const RESERVED_CONNECTIONS = 20;

/** Share of max_connections RDS Proxy may open to the database (its maxConnectionsPercent). */
export const PROXY_MAX_CONNECTIONS_PERCENT = 90;

/**
 * The most instances a group can run at once. AWS lets a group overshoot its max while it
 * rebalances across AZs or replaces spot capacity (by 10%, at least one instance); the
 * scheduler's group is kept to exactly one (see the AutoscaledRole's `singleton`).
 */
export function peakInstances(g: { max: number; queues?: string[] }): number {
    return g.queues?.includes("scheduler") ? g.max : g.max + Math.max(1, Math.ceil(g.max / 10));
}

export interface ConnectionShare {
    /** "web", "streaming" or "sidekiq-<group>". */
    role: string;
    /** peak instances x processes per instance x pool per process. */
    connections: number;
}

export interface ConnectionBudget {
    shares: ConnectionShare[];
    /** Direct connections kept free (migrations bypass any pooler). */
    reserved: number;
    /** Sum of the shares and the reserve: what the app can open at max size. */
    total: number;
    /** max_connections: the parameter group's value, or AWS's default for the class. */
    limit: number;
    /** Where the limit comes from, for messages. */
    limitSource: string;
    /** With RDS Proxy: the server connections the proxy may open; undefined without a pooler. */
    proxyConnections?: number;
    /** True when the app's connections fit. */
    fits: boolean;
}

export function connectionBudget(env: EnvironmentConfig): ConnectionBudget {
    const shares: ConnectionShare[] = [
        // puma: each worker has its own pool of MAX_THREADS connections.
        { role: "web", connections: peakInstances(env.web) * env.web.pumaWorkers * env.web.pumaThreads },
        { role: "streaming", connections: peakInstances(env.streaming) * env.streaming.processes * env.streaming.dbPool },
        // Sidekiq: DB_POOL equals -c, per process.
        ...env.sidekiq.map(g => ({ role: `sidekiq-${g.name}`, connections: peakInstances(g) * g.processes * g.threads })),
    ];
    const total = shares.reduce((sum, s) => sum + s.connections, RESERVED_CONNECTIONS);
    const { instanceClass, maxConnections } = env.database;
    const limit = maxConnections || defaultMaxConnections(DB_CLASS_MEMORY_GIB[instanceClass] ?? 0);
    const limitSource = maxConnections ? "max_connections in the parameter group" : `${instanceClass}'s default max_connections`;
    if (env.database.pooler === "rdsProxy") {
        // The app's connections end at the proxy, which multiplexes them onto at most this many;
        // what must fit beside them is the direct reserve.
        const proxyConnections = Math.floor((limit * PROXY_MAX_CONNECTIONS_PERCENT) / 100);
        return { shares, reserved: RESERVED_CONNECTIONS, total, limit, limitSource, proxyConnections, fits: proxyConnections + RESERVED_CONNECTIONS <= limit };
    }
    return { shares, reserved: RESERVED_CONNECTIONS, total, limit, limitSource, fits: total <= limit };
}
