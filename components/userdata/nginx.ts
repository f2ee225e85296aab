// nginx for web and streaming nodes. The main config carries the article's tuning; the sites
// sit behind the ALB, which terminates TLS and sets X-Forwarded-Proto.

import { NginxConfig } from "../../stacks/schema";
import { ALB_IDLE_TIMEOUT_SECONDS, Layout, PUMA_PORT, streamingPorts } from "./layout";

/** The main nginx.conf: the article's values, from config. */
export function renderNginxMain(c: NginxConfig, l: Layout): string {
    return `user ${l.nginxUser};
worker_processes ${c.workerProcesses};
pid ${l.nginxPid};
worker_rlimit_nofile ${c.workerRlimitNofile};

events {
    worker_connections ${c.workerConnections};
}

http {
    include ${l.nginxDir}/mime.types;
    default_type application/octet-stream;

    sendfile on;
    tcp_nopush on;
    keepalive_timeout ${c.keepaliveTimeout};
    server_tokens off;

    # Tab-separated key:value fields (LTSV), as the article logs them.
    log_format global 'time_iso8601:$time_iso8601\\t'
                      'http_host:$host\\t'
                      'server_name:$server_name\\t'
                      'server_port:$server_port\\t'
                      'status:$status\\t'
                      'request_time:$request_time\\t'
                      'remote_addr:$remote_addr\\t'
                      'upstream_addr:$upstream_addr\\t'
                      'upstream_response_time:$upstream_response_time\\t'
                      'request_method:$request_method\\t'
                      'request_uri:$request_uri\\t'
                      'server_protocol:$server_protocol\\t'
                      'body_bytes_sent:$body_bytes_sent\\t'
                      'http_referer:$http_referer\\t'
                      'http_user_agent:$http_user_agent';

    access_log ${l.nginxLogDir}/global-access.log global;
    error_log ${l.nginxLogDir}/error.log warn;

    include ${l.nginxDir}/conf.d/*.conf;
    include ${l.nginxDir}/sites-enabled/*;
}
`;
}

/**
 * The sites face only the ALB, which keeps idle connections for ALB_IDLE_TIMEOUT_SECONDS; the
 * main config's keepalive_timeout (the article's 15 s) would close them first and cause 502s.
 */
const ALB_KEEPALIVE = `    keepalive_timeout ${ALB_IDLE_TIMEOUT_SECONDS + 15}s;`;

/** Headers every proxied request carries: the client's address and scheme as the ALB saw them. */
const PROXY_HEADERS = `        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $forwarded_proto;
        proxy_set_header Proxy "";
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
        proxy_redirect off;
        tcp_nodelay on;`;

/** The WebSocket upgrade map and the scheme the ALB reports (https unless told otherwise). */
const MAPS = `map $http_upgrade $connection_upgrade {
    default upgrade;
    ''      close;
}

map $http_x_forwarded_proto $forwarded_proto {
    default $http_x_forwarded_proto;
    ''      $scheme;
}`;

/** The Mastodon site on web nodes: static files from public/, everything else to puma. */
export function renderWebSite(c: NginxConfig, l: Layout, vpcCidr: string): string {
    return `${MAPS}

upstream puma {
    server 127.0.0.1:${PUMA_PORT} fail_timeout=0;
}

server {
    listen 80 default_server;
    listen [::]:80 default_server;
    server_name _;
    root ${l.appDir}/public;
    client_max_body_size ${c.clientMaxBodySizeMb}m;
${ALB_KEEPALIVE}

    # The ALB is the client nginx sees; log the real one.
    set_real_ip_from ${vpcCidr};
    real_ip_header X-Forwarded-For;

    location = /health {
        access_log off;
${PROXY_HEADERS}
        proxy_pass http://puma;
    }

    location ^~ /packs/ {
        add_header Cache-Control "public, max-age=31536000, immutable";
        try_files $uri =404;
    }

    location ~ ^/(assets|avatars|emoji|headers|shortcuts|sounds)/ {
        add_header Cache-Control "public, max-age=2419200, must-revalidate";
        try_files $uri =404;
    }

    location / {
        try_files $uri @puma;
    }

    location @puma {
${PROXY_HEADERS}
        proxy_buffering on;
        proxy_pass http://puma;
    }

    error_page 404 500 501 502 503 504 /500.html;
}
`;
}

/** The streaming site: least_conn across the node processes, one port each. */
export function renderStreamingSite(processes: number, vpcCidr: string): string {
    const servers = streamingPorts(processes).map(port => `    server 127.0.0.1:${port} fail_timeout=0;`).join("\n");
    return `${MAPS}

upstream streaming {
    # WebSockets live for hours; send each new one to the least busy process. The shared zone
    # lets every nginx worker see the same connection counts.
    zone streaming 64k;
    least_conn;
${servers}
}

server {
    listen 80 default_server;
    listen [::]:80 default_server;
    server_name _;
${ALB_KEEPALIVE}

    set_real_ip_from ${vpcCidr};
    real_ip_header X-Forwarded-For;

    location = /api/v1/streaming/health {
        access_log off;
${PROXY_HEADERS}
        proxy_pass http://streaming;
    }

    location / {
${PROXY_HEADERS}
        proxy_buffering off;
        proxy_pass http://streaming;
    }
}
`;
}
