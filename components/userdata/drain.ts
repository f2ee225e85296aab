// Graceful exits. A watcher on every node notices its own termination — an autoscaling
// scale-in or instance refresh (the lifecycle hook holds the instance in Terminating:Wait) or
// a spot interruption notice (two minutes) — drains the role, then lets the termination go on.

/** The lifecycle hook every group has, which the watcher completes. */
export const DRAIN_HOOK = "mastodon-drain";

export interface DrainPlan {
    /** "sidekiq": quiet, wait, stop. "http": leave the target group, wait for in-flight requests, stop. */
    kind: "sidekiq" | "http";
    /** Seconds between going quiet (or leaving the target group) and stopping the processes. */
    waitSeconds: number;
    /** systemd unit pattern of the app processes, e.g. "mastodon-sidekiq-*" or "mastodon-web.service". */
    units: string;
    /** AWS region of the autoscaling and ELB APIs. */
    region: string;
}

/** Seconds of heartbeat the lifecycle hook gives a drain: the wait, the stop, and a margin. */
export const hookHeartbeatSeconds = (waitSeconds: number): number => waitSeconds + 120;

const drainSteps = (p: DrainPlan): string => p.kind === "sidekiq"
    ? `    # Quiet: Sidekiq stops fetching new jobs and finishes the ones it has.
    systemctl kill --signal=TSTP '${p.units}'
    sleep "$wait"
    # Stop: Sidekiq waits up to its -t timeout, then pushes unfinished jobs back to Redis.
    systemctl stop '${p.units}'`
    : `    # Leave every target group first, so the ALB sends no new requests here.
    for tg in $(aws autoscaling describe-auto-scaling-groups --region "$region" --auto-scaling-group-names "$asg" \\
            --query 'AutoScalingGroups[0].TargetGroupARNs[]' --output text); do
        aws elbv2 deregister-targets --region "$region" --target-group-arn "$tg" --targets "Id=$id" || true
    done
    sleep "$wait"
    systemctl stop '${p.units}' nginx.service`;

/** The watcher script (/usr/local/sbin/mastodon-drain) for one role. */
export function renderDrainScript(p: DrainPlan): string {
    return `#!/bin/sh
# Drains this node before it terminates: on a lifecycle Terminating:Wait or a spot notice.
# IMDS_ENDPOINT, POLL_SECONDS and DRAIN_SECONDS override the defaults (for tests).
set -u
imds=\${IMDS_ENDPOINT:-http://169.254.169.254}
poll=\${POLL_SECONDS:-5}
wait=\${DRAIN_SECONDS:-${p.waitSeconds}}
region=${p.region}

token() { curl -sf -X PUT "$imds/latest/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 300"; }
meta() { curl -sf -H "X-aws-ec2-metadata-token: $1" "$imds/latest/meta-data/$2"; }

while :; do
    if t=$(token); then
        state=$(meta "$t" autoscaling/target-lifecycle-state || true)
        notice=$(meta "$t" spot/instance-action || true)
        if [ "$state" = "Terminated" ] || [ -n "$notice" ]; then break; fi
    fi
    sleep "$poll"
done

id=$(meta "$t" instance-id)
asg=$(meta "$t" tags/instance/aws:autoscaling:groupName)
echo "draining $id of $asg (lifecycle: \${state:-none}, spot notice: \${notice:-none})"
drain() {
${drainSteps(p)}
}
drain
# The hook's wait may start a moment after the metadata says Terminated: retry for a minute. On a
# spot notice without a lifecycle action it keeps failing harmlessly; the instance goes anyway.
tries=0
until aws autoscaling complete-lifecycle-action --region "$region" --lifecycle-hook-name ${DRAIN_HOOK} \\
    --auto-scaling-group-name "$asg" --instance-id "$id" --lifecycle-action-result CONTINUE; do
    tries=$((tries + 1))
    [ "$tries" -lt 12 ] || break
    sleep "$poll"
done
echo "drained $id"
`;
}

/** The unit that runs the watcher from boot. */
export function renderDrainUnit(): string {
    return `[Unit]
Description=Drain this Mastodon node before it terminates
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
ExecStart=/usr/local/sbin/mastodon-drain
Restart=on-failure
RestartSec=5

[Install]
WantedBy=multi-user.target
`;
}
