// nginx configurations, run with their own prefix in a temporary directory, `daemon off`, as
// children of the harness: the fast upstream and the reference proxy.
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export const SMALL_JSON = '{"items":[{"id":1,"name":"alpha","value":10},{"id":2,"name":"beta","value":20},{"id":3,"name":"gamma","value":30}],"limit":10,"offset":0,"moreItems":false}'

function common (prefix: string): string {
  for (const d of ['logs', 'tmp/body', 'tmp/proxy', 'tmp/fastcgi', 'tmp/uwsgi', 'tmp/scgi', 'empty']) mkdirSync(join(prefix, d), { recursive: true })
  return `worker_processes 1;
daemon off;
pid ${prefix}/logs/nginx.pid;
error_log ${prefix}/logs/error.log crit;
events { worker_connections 4096; }
`
}

function temps (prefix: string): string {
  return `  client_body_temp_path ${prefix}/tmp/body;
  proxy_temp_path ${prefix}/tmp/proxy;
  fastcgi_temp_path ${prefix}/tmp/fastcgi;
  uwsgi_temp_path ${prefix}/tmp/uwsgi;
  scgi_temp_path ${prefix}/tmp/scgi;
`
}

export interface UpstreamFiles {
  readonly conf: string
  /** one line per accepted /report upload: `$request_length $status` */
  readonly sinkLog: string
}

/**
 * The fast upstream: a small JSON answer for every /api/v2 path, 256 MiB at /api/v2/bench/big,
 * an echo of the forwarded Authorization and Host, and a /report sink that reads the whole body
 * (a mirror subrequest forces nginx to read it before answering, into memory, not to disk) and
 * logs how many bytes it read, so uploads are validated.
 */
export function upstreamConf (prefix: string, port: number, bigFile: string, bigBytes: number): UpstreamFiles {
  const sinkLog = join(prefix, 'logs', 'sink.log')
  const conf = join(prefix, 'nginx.conf')
  writeFileSync(conf, `${common(prefix)}
http {
${temps(prefix)}
  access_log off;
  log_format sink '$request_length $status';
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  sendfile on;
  server {
    listen 127.0.0.1:${port};
    root ${prefix}/empty;
    client_max_body_size 0;
    location / {
      default_type application/json;
      return 200 '${SMALL_JSON}';
    }
    location = /api/v2/bench/big {
      alias ${bigFile};
      default_type application/octet-stream;
    }
    location = /api/v2/bench/echo {
      add_header X-Echo-Authorization $http_authorization always;
      add_header X-Echo-Host $http_host always;
      default_type application/json;
      return 200 '{}';
    }
    location = /report {
      client_body_buffer_size ${Math.ceil(bigBytes / 1048576) + 4}m;
      client_body_in_single_buffer on;
      mirror /bench-mirror;
      mirror_request_body on;
      error_page 404 405 =202 /bench-accepted;
    }
    location = /bench-mirror { internal; return 204; }
    location = /bench-accepted {
      internal;
      access_log ${sinkLog} sink;
      default_type application/json;
      return 202 '{"status":"accepted"}';
    }
  }
}
`)
  return { conf, sinkLog }
}

/**
 * The reference proxy doing the same job: add `Authorization: Bearer …`, keep-alive to the
 * upstream, stream both ways (no request buffering, no temp files), access log on as nginx ships.
 */
export function proxyConf (prefix: string, port: number, upstreamPort: number, token: string, accessLog: boolean): string {
  const conf = join(prefix, 'nginx.conf')
  writeFileSync(conf, `${common(prefix)}
http {
${temps(prefix)}
  access_log ${accessLog ? `${prefix}/logs/access.log combined` : 'off'};
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  upstream wavefront {
    server 127.0.0.1:${upstreamPort};
    keepalive 128;
    keepalive_requests 1000000;
    keepalive_timeout 120s;
  }
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 0;
    location ~ ^(/api/v2/|/report$) {
      proxy_pass http://wavefront;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host 127.0.0.1:${upstreamPort};
      proxy_set_header Authorization "Bearer ${token}";
      proxy_request_buffering off;
      proxy_max_temp_file_size 0;
    }
  }
}
`)
  return conf
}

export function nginxVersion (bin: string): string {
  const out = spawnSync(bin, ['-v'])
  return `${out.stderr?.toString() ?? ''}${out.stdout?.toString() ?? ''}`.trim().replace(/^nginx version: /, '')
}
