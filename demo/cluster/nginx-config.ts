import type { BalancerServer } from './haproxy-config.ts';
import { CONTROL_HEADER, CONTROL_PREFIX } from './haproxy-config.ts';

export interface NginxConfigInput {
  /** `listen` argument, e.g. `127.0.0.1:4000` or `4000`. */
  listen: string;
  servers: readonly BalancerServer[];
  /** host:port of the demo-only control endpoint. */
  control?: string;
  /** Folder for pid, temp files and logs when nginx runs unprivileged from the demo. */
  runDir?: string;
}

/** Renders an nginx configuration equivalent to the haproxy one (used when haproxy is not installed). */
export function renderNginxConfig(input: NginxConfigInput): string {
  const run = input.runDir;
  const lines: string[] = [
    '# Tandem: round-robin WebSocket load balancer in front of the gateway nodes (no sticky sessions).',
    'worker_processes 1;',
    'daemon off;',
    ...(run ? [`pid ${run}/nginx.pid;`, `error_log ${run}/nginx-error.log warn;`] : ['error_log stderr warn;']),
    'events { worker_connections 4096; }',
    'http {',
    '    access_log off;',
    ...(run
      ? ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `    ${t}_temp_path ${run}/${t}_temp;`)
      : []),
    '    map $http_upgrade $connection_upgrade {',
    '        default upgrade;',
    "        ''      close;",
    '    }',
    '    upstream gateways {',
    '        # round-robin is the default; a node that refuses connections is skipped for 2 s.',
    ...input.servers.map((s) => `        server ${s.address} max_fails=1 fail_timeout=2s;`),
    '    }',
    '    server {',
    `        listen ${input.listen};`,
  ];
  if (input.control) {
    lines.push(
      '        # The kill/restart control endpoint exists only in `npm run demo`.',
      `        location ${CONTROL_PREFIX} {`,
      `            proxy_pass http://${input.control};`,
      '        }',
    );
  }
  lines.push(
    '        location / {',
    '            proxy_pass http://gateways;',
    '            proxy_http_version 1.1;',
    '            proxy_set_header Upgrade $http_upgrade;',
    '            proxy_set_header Connection $connection_upgrade;',
    '            proxy_set_header Host $host;',
    '            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    '            proxy_read_timeout 1h;',
    '            proxy_max_temp_file_size 0;',
    '            # A dead or draining node: try the next one.',
    '            proxy_next_upstream error timeout http_502 http_503;',
    ...(input.control ? [`            add_header ${CONTROL_HEADER} ${CONTROL_PREFIX} always;`] : []),
    '        }',
    '    }',
    '}',
  );
  return `${lines.join('\n')}\n`;
}
