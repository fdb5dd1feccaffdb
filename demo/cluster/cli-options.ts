import { parseArgs } from 'node:util';
import { BALANCER_KINDS, type BalancerKind } from './balancer.ts';
import { DEFAULT_PORT } from './cluster.ts';

export const HELP = `Usage: npm run demo -- [options]

Starts the Tandem demo cluster on 127.0.0.1 without Docker:
  redis-server (appendonly, or REDIS_URL if set), three gateway nodes, a round-robin WebSocket
  balancer without sticky sessions (haproxy, else nginx, else a small http-proxy balancer) and a
  demo-only control endpoint that kills and restarts nodes. Then open the URL it prints.

Options:
  --port <n>          balancer port; the nodes use the next three (default ${DEFAULT_PORT}, as in docker-compose.yml)
  --balancer <kind>   force one of: ${BALANCER_KINDS.join(', ')}
  -h, --help          show this help

Environment:
  REDIS_URL           use this Redis instead of starting redis-server
  LOG_LEVEL           gateway log level (default info; logs go to files, see the "logs" line)
`;

export interface CliOptions {
  port: number;
  balancer: BalancerKind | undefined;
  help: boolean;
}

function isBalancerKind(value: string): value is BalancerKind {
  return (BALANCER_KINDS as readonly string[]).includes(value);
}

/** Parses the demo's arguments; throws with a readable message on a bad flag. */
export function parseCli(argv: readonly string[]): CliOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: 'string' },
      balancer: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 1024 || port > 65_000) {
    throw new Error(`--port must be an integer from 1024 to 65000, got ${values.port}`);
  }
  const balancer = values.balancer;
  if (balancer !== undefined && !isBalancerKind(balancer)) {
    throw new Error(`--balancer must be one of ${BALANCER_KINDS.join(', ')}, got ${balancer}`);
  }
  return { port, balancer, help: values.help ?? false };
}
