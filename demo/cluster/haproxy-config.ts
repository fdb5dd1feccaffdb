/** Renders the haproxy configuration used by `npm run demo` and committed as deploy/haproxy.cfg for docker-compose. */

export interface BalancerServer {
  name: string;
  /** host:port */
  address: string;
}

export interface HaproxyConfigInput {
  /** What the frontend listens on, e.g. `127.0.0.1:4000` or `:4000`. */
  bind: string;
  servers: readonly BalancerServer[];
  /** host:port of the demo-only control endpoint (`/demo-api/`); absent in docker-compose. */
  control?: string;
  /** Resolve server names through Docker's DNS at run time (containers may start late or move). */
  dockerDns?: boolean;
  /** First comment line. */
  title?: string;
  /** haproxy needs about twice this many file descriptors. @default 20000 */
  maxconn?: number;
}

/** Paths the balancer sends to the demo process instead of a gateway. */
export const CONTROL_PREFIX = '/demo-api/';
/**
 * Response header the demo's balancer adds, so the page knows the control endpoint exists without
 * probing for it (a 404 would be a console error in the browser).
 */
export const CONTROL_HEADER = 'X-Tandem-Demo-Control';

export function renderHaproxyConfig(input: HaproxyConfigInput): string {
  const lines: string[] = [
    `# ${input.title ?? 'Tandem: round-robin WebSocket load balancer in front of the gateway nodes.'}`,
    '# No sticky sessions: clients speak socket.io over the websocket transport only, and every node can',
    "# serve every user (state lives in Redis), so each new connection simply goes to the next node.",
    'global',
    `    maxconn ${input.maxconn ?? 20_000}`,
    '',
    'defaults',
    '    mode http',
    '    timeout connect 2s',
    '    timeout client 30s',
    '    timeout server 30s',
    '    timeout http-request 10s',
    '    # An upgraded WebSocket is a tunnel; socket.io pings every 25 s, so this is only an upper bound.',
    '    timeout tunnel 1h',
    '    timeout client-fin 5s',
    '    # A connection refused by a node that just died is retried on the next node.',
    '    retries 3',
    '    option redispatch 1',
    '    option forwardfor',
    '',
  ];
  if (input.dockerDns) {
    lines.push(
      'resolvers docker',
      '    nameserver dns 127.0.0.11:53',
      '    hold valid 5s',
      '',
    );
  }
  lines.push('frontend tandem', `    bind ${input.bind}`);
  if (input.control) {
    lines.push(
      '    # The kill/restart control endpoint exists only in `npm run demo`.',
      `    acl demo_control path_beg ${CONTROL_PREFIX}`,
      '    use_backend demo_control if demo_control',
    );
  }
  lines.push(
    '    default_backend gateways',
    '',
    'backend gateways',
    '    balance roundrobin',
    '    # /readyz is 503 while a node drains or cannot reach Redis: it gets no new connections then.',
    '    option httpchk GET /readyz',
    '    http-check expect status 200',
    '    # Out after two failed checks a second apart, back after one good one.',
    `    default-server inter 1s fall 2 rise 1${input.dockerDns ? ' resolvers docker init-addr last,libc,none' : ''}`,
    ...(input.control ? [`    http-response set-header ${CONTROL_HEADER} ${CONTROL_PREFIX}`] : []),
    ...input.servers.map((s) => `    server ${s.name} ${s.address} check`),
  );
  if (input.control) {
    lines.push('', 'backend demo_control', `    server control ${input.control}`);
  }
  return `${lines.join('\n')}\n`;
}
