// systemd units for each role, shaped like Mastodon's official ones (Restart=always,
// TimeoutSec=15, their sandboxing) and the article's. Settings come from .env.production,
// which mastodon-env.service fetches from SSM before any app unit starts.

import { SidekiqGroupConfig, StreamingConfig, WebConfig } from "../../stacks/schema";
import { envFile, Layout, PUMA_PORT } from "./layout";

type Lines = [string, string | number | null][];

/** A unit file from its sections; `null` values are left out. */
function unit(sections: Record<string, Lines>): string {
    return Object.entries(sections)
        .map(([name, lines]) => `[${name}]\n` + lines.filter(([, v]) => v !== null).map(([k, v]) => `${k}=${v}`).join("\n"))
        .join("\n\n") + "\n";
}

const APP_AFTER = "network-online.target mastodon-env.service";

/** The sandboxing of Mastodon's official units (dist/mastodon-*.service). */
function sandbox(l: Layout): Lines {
    return [
        ["ProcSubset", "pid"], ["ProtectProc", "invisible"], ["CapabilityBoundingSet", ""], ["NoNewPrivileges", "true"],
        ["ProtectSystem", "strict"], ["PrivateTmp", "true"], ["PrivateDevices", "true"], ["PrivateUsers", "true"],
        ["ProtectHostname", "true"], ["ProtectKernelLogs", "true"], ["ProtectKernelModules", "true"], ["ProtectKernelTunables", "true"],
        ["ProtectControlGroups", "true"], ["RestrictAddressFamilies", "AF_INET AF_INET6 AF_NETLINK AF_UNIX"], ["RestrictNamespaces", "true"],
        ["LockPersonality", "true"], ["RestrictRealtime", "true"], ["RestrictSUIDSGID", "true"], ["RemoveIPC", "true"],
        ["PrivateMounts", "true"], ["ProtectClock", "true"], ["SystemCallArchitectures", "native"],
        ["SystemCallFilter", "~@cpu-emulation @debug @keyring @ipc @mount @obsolete @privileged @setuid"],
        ["SystemCallFilter", "@chown"], ["SystemCallFilter", "pipe"], ["SystemCallFilter", "pipe2"],
        ["ReadWritePaths", l.appDir],
    ];
}

/** Common [Service] lines of every app process: user, app dir, env file, restarts, sandbox. */
function appService(l: Layout): Lines {
    return [
        ["Type", "simple"],
        ["User", l.appUser],
        ["WorkingDirectory", l.appDir],
        ["EnvironmentFile", envFile(l)],
        ["TimeoutSec", 15],
        ["Restart", "always"],
        ...sandbox(l),
    ];
}

/** The oneshot that writes .env.production from SSM at every boot, before the app starts. */
export function renderEnvUnit(): string {
    return unit({
        Unit: [["Description", "Fetch Mastodon settings from SSM Parameter Store"], ["Wants", "network-online.target"], ["After", "network-online.target"]],
        Service: [["Type", "oneshot"], ["RemainAfterExit", "yes"], ["ExecStart", "/usr/local/sbin/mastodon-fetch-env"], ["Restart", "on-failure"], ["RestartSec", 5]],
        Install: [["WantedBy", "multi-user.target"]],
    });
}

/** puma: WEB_CONCURRENCY workers of MAX_THREADS threads on 127.0.0.1:3000; SIGUSR1 reloads. */
export function renderWebUnit(web: WebConfig, l: Layout): string {
    return unit({
        Unit: [["Description", "mastodon-web"], ["Wants", "network-online.target"], ["After", APP_AFTER], ["Requires", "mastodon-env.service"]],
        Service: [
            ["Environment", "RAILS_ENV=production"],
            ["Environment", `PORT=${PUMA_PORT}`],
            ["Environment", "BIND=127.0.0.1"],
            ["Environment", `WEB_CONCURRENCY=${web.pumaWorkers}`],
            ["Environment", `MAX_THREADS=${web.pumaThreads}`],
            ["Environment", "LD_PRELOAD=libjemalloc.so.2"],
            ["ExecStart", `${l.bundle} exec puma -C config/puma.rb`],
            ["ExecReload", "/bin/kill -SIGUSR1 $MAINPID"],
            ...appService(l),
        ],
        Install: [["WantedBy", "multi-user.target"]],
    });
}

/** One streaming process per instance name, which is its port (mastodon-streaming@4000). */
export function renderStreamingUnit(s: StreamingConfig, l: Layout): string {
    return unit({
        Unit: [["Description", "mastodon-streaming on port %i"], ["Wants", "network-online.target"], ["After", APP_AFTER], ["Requires", "mastodon-env.service"]],
        Service: [
            ["Environment", "NODE_ENV=production"],
            ["Environment", "PORT=%i"],
            ["Environment", "BIND=127.0.0.1"],
            ["Environment", `DB_POOL=${s.dbPool}`],
            // node verifies the database's certificate (DB_SSLMODE=require); RDS's CA is not in its store.
            ["Environment", `NODE_EXTRA_CA_CERTS=${l.rdsCaBundle}`],
            ["ExecStart", `${l.node} ./streaming/index.js`],
            ["LimitNOFILE", 65536],
            ...appService(l),
        ],
        Install: [["WantedBy", "multi-user.target"]],
    });
}

/**
 * Mastodon's own queue weights (config/sidekiq.yml). A process serving several queues picks by
 * weight instead of draining them in strict order, so no queue it serves starves.
 */
export const QUEUE_WEIGHTS: Readonly<Record<string, number>> = { default: 8, push: 6, ingress: 4, mailers: 2, pull: 1, scheduler: 1, fasp: 1 };

/** `-q` arguments: a lone queue as is; several with their weights. */
export function sidekiqQueueArgs(queues: string[]): string {
    return queues.map(q => (queues.length > 1 ? `-q ${q},${QUEUE_WEIGHTS[q] ?? 1}` : `-q ${q}`)).join(" ");
}

/** Seconds Sidekiq waits for running jobs when told to stop (its -t). */
export const SIDEKIQ_SHUTDOWN_SECONDS = 25;

/** Unit (template) name of a Sidekiq group: one instance per process, @1..@N. */
export const sidekiqUnitName = (group: string): string => `mastodon-sidekiq-${group}@.service`;

/** A Sidekiq process of one queue group: `-c threads`, a `-q` per queue, DB_POOL = threads. */
export function renderSidekiqUnit(g: SidekiqGroupConfig, l: Layout): string {
    const queues = sidekiqQueueArgs(g.queues);
    // Sidekiq's shutdown waits -t seconds for running jobs, then pushes them back to Redis; the
    // stop timeout must outlast it, or systemd kills jobs mid-flight and they are lost.
    return unit({
        Unit: [["Description", `mastodon-sidekiq-${g.name} process %i (${g.queues.join(", ")})`], ["Wants", "network-online.target"], ["After", APP_AFTER], ["Requires", "mastodon-env.service"]],
        Service: [
            ["Environment", "RAILS_ENV=production"],
            ["Environment", `DB_POOL=${g.threads}`],
            ["Environment", "MALLOC_ARENA_MAX=2"],
            ["Environment", "LD_PRELOAD=libjemalloc.so.2"],
            ["ExecStart", `${l.bundle} exec sidekiq -c ${g.threads} -t ${SIDEKIQ_SHUTDOWN_SECONDS} ${queues}`],
            ...appService(l),
            ["TimeoutStopSec", SIDEKIQ_SHUTDOWN_SECONDS + 15],
        ],
        Install: [["WantedBy", "multi-user.target"]],
    });
}

/** Settings the fetcher writes empty (SSM cannot store an empty value); the script says why. */
export const EMPTY_SETTINGS: readonly string[] = ["S3_PERMISSION"];

/**
 * The script behind mastodon-env.service: every parameter under the stack's SSM path becomes
 * a KEY=value line of .env.production, mode 0600, owned by the app user. It uses the instance
 * role (IMDSv2) through the AWS CLI and prints no value.
 */
export function renderFetchEnvScript(region: string, ssmPath: string, l: Layout): string {
    const target = envFile(l);
    return `#!/bin/sh
# Writes ${target} from SSM Parameter Store (${ssmPath}/*). Values are never echoed.
set -eu
umask 077
tmp=$(mktemp "${target}.XXXXXX")
trap 'rm -f "$tmp"' EXIT
aws ssm get-parameters-by-path --region ${region} --path ${ssmPath} --recursive --with-decryption \\
    --query 'Parameters[].[Name,Value]' --output text |
    awk -F '\\t' '{ n = split($1, p, "/"); print p[n] "=" $2 }' > "$tmp"
count=$(wc -l < "$tmp")
[ "$count" -gt 0 ] || { echo "no settings under ${ssmPath}" >&2; exit 1; }
# Settings that must be empty, which SSM cannot store. S3_PERMISSION: the bucket has ACLs
# disabled, and only an empty value keeps Mastodon from sending ACLs (e.g. on suspensions).
${EMPTY_SETTINGS.map(k => `echo '${k}=' >> "$tmp"`).join("\n")}
chown ${l.appUser}:${l.appUser} "$tmp"
chmod 0600 "$tmp"
mv "$tmp" ${target}
trap - EXIT
echo "wrote $count settings to ${target}"
`;
}

/** CloudWatch namespace of the queue metrics Sidekiq nodes publish (files/sidekiq-metrics.js). */
export const SIDEKIQ_NAMESPACE = "Mastodon/Sidekiq";

/** Where the metric publisher lives on Sidekiq nodes. */
export const METRICS_SCRIPT = "/usr/local/lib/mastodon/sidekiq-metrics.js";

/** The publisher run: the group's queue latency and size into CloudWatch. */
export function renderMetricsService(stack: string, region: string, g: SidekiqGroupConfig, l: Layout): string {
    return unit({
        Unit: [["Description", `Publish queue latency of Sidekiq group ${g.name} to CloudWatch`], ["After", APP_AFTER], ["Requires", "mastodon-env.service"]],
        Service: [
            ["Type", "oneshot"],
            ["User", l.appUser],
            ["EnvironmentFile", envFile(l)],
            ["Environment", `STACK=${stack}`],
            ["Environment", `QUEUE_GROUP=${g.name}`],
            ["Environment", `QUEUES=${g.queues.join(",")}`],
            ["Environment", `AWS_REGION=${region}`],
            ["ExecStart", `${l.node} ${METRICS_SCRIPT}`],
            ["TimeoutSec", 30],
            ["NoNewPrivileges", "true"],
            ["PrivateTmp", "true"],
        ],
    });
}

/** Every minute: CloudWatch's standard resolution, and what target tracking evaluates. */
export function renderMetricsTimer(): string {
    return unit({
        Unit: [["Description", "Publish Sidekiq queue latency every minute"]],
        Timer: [["OnBootSec", "60s"], ["OnUnitActiveSec", "60s"], ["AccuracySec", "5s"]],
        Install: [["WantedBy", "timers.target"]],
    });
}
