// The worst-case PostgreSQL connection count. PostgreSQL forks a process per connection, and
// the article's database fell over when app instances were scaled up; so the budget counts
// every group at its max size.

import { DB_CLASS_MEMORY_GIB, defaultMaxConnections } from "./catalog";
import { EnvironmentConfig } from "./schema";

/** Connections kept free for migrations, `rails console`, monitoring and RDS itself. */
export const RESERVED_CONNECTIONS = 20;

export interface ConnectionShare {
    /** "web", "streaming" or "sidekiq-<group>". */
    role: string;
    /** max instances x processes per instance x pool per process. */
    connections: number;
}

export interface ConnectionBudget {
    shares: ConnectionShare[];
    reserved: number;
    /** Sum of the shares and the reserve. */
    total: number;
    /** max_connections of the configured class (AWS's default formula). */
    limit: number;
}

export function connectionBudget(env: EnvironmentConfig): ConnectionBudget {
    const shares: ConnectionShare[] = [
        // puma: each worker has its own pool of MAX_THREADS connections.
        { role: "web", connections: env.web.max * env.web.pumaWorkers * env.web.pumaThreads },
        { role: "streaming", connections: env.streaming.max * env.streaming.processes * env.streaming.dbPool },
        // Sidekiq: DB_POOL equals -c, per process.
        ...env.sidekiq.map(g => ({ role: `sidekiq-${g.name}`, connections: g.max * g.processes * g.threads })),
    ];
    const total = shares.reduce((sum, s) => sum + s.connections, RESERVED_CONNECTIONS);
    const memory = DB_CLASS_MEMORY_GIB[env.database.instanceClass] ?? 0;
    return { shares, reserved: RESERVED_CONNECTIONS, total, limit: defaultMaxConnections(memory) };
}
