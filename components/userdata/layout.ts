// Where things live on a Mastodon node. The image must provide these (see README, "The image").
// Renderers take a Layout so tests can point nginx at a scratch directory.

export interface Layout {
    /** The user the app runs as. */
    appUser: string;
    /** Mastodon's checkout (the production guide's /home/mastodon/live). */
    appDir: string;
    /** Bundler as rbenv installs it. */
    bundle: string;
    /** The node binary for the streaming server. */
    node: string;
    /** nginx's configuration directory. */
    nginxDir: string;
    /** nginx's log directory. */
    nginxLogDir: string;
    /** The user nginx workers run as. */
    nginxUser: string;
    /** nginx's pid file. */
    nginxPid: string;
    /** Amazon RDS's CA bundle (global-bundle.pem), for node to verify the database. */
    rdsCaBundle: string;
}

export const NODE_LAYOUT: Layout = {
    appUser: "mastodon",
    appDir: "/home/mastodon/live",
    bundle: "/home/mastodon/.rbenv/shims/bundle",
    node: "/usr/bin/node",
    nginxDir: "/etc/nginx",
    nginxLogDir: "/var/log/nginx",
    nginxUser: "www-data",
    nginxPid: "/run/nginx.pid",
    rdsCaBundle: "/usr/local/share/ca-certificates/rds-global-bundle.pem",
};

/** Where the fetched settings land: Mastodon's own env file. */
export const envFile = (l: Layout): string => `${l.appDir}/.env.production`;

/**
 * The ALB's idle timeout. nginx must keep idle connections from the ALB open longer than this,
 * or the ALB reuses a connection nginx just closed and answers 502.
 */
export const ALB_IDLE_TIMEOUT_SECONDS = 60;

/** Ports: puma on 3000; streaming processes from 4000 up, one per process. */
export const PUMA_PORT = 3000;
export const STREAMING_BASE_PORT = 4000;
export const streamingPorts = (processes: number): number[] => [...Array(processes).keys()].map(i => STREAMING_BASE_PORT + i);
