import { z } from 'zod';

/** Limits that bound what one client, one IP or one user can cost a node (issue 14). */
export interface SecurityConfig {
  /** Proxy hops in front of the node whose X-Forwarded-For / X-Forwarded-Proto are trusted (0: none). */
  trustProxy: number;
  handshake: {
    /** Handshakes verified at once on this node. */
    concurrency: number;
    /** Handshakes waiting for a slot; past it a handshake is refused `unavailable`. */
    queue: number;
    /** Handshakes running or waiting from one client IP. */
    perIp: number;
  };
  http: {
    headersTimeoutMs: number;
    requestTimeoutMs: number;
    keepAliveTimeoutMs: number;
    /** Open TCP connections per node (0: no limit). */
    maxConnections: number;
  };
  /** Sockets one user may hold on one node (a device holds one: a newer connection supersedes the older). */
  maxSocketsPerUser: number;
  /** Bytes a node queues for one connection that does not read, and for all of them together. */
  sendBuffer: { maxBytes: number; nodeMaxBytes: number };
}

export const SECURITY_VARIABLES: ReadonlyArray<[name: string, help: string]> = [
  ['JWT_MAX_LIFETIME_SEC', 'longest token lifetime accepted, exp - iat (default 86400 = 24 h)'],
  ['JWT_REQUIRE_DEVICE', 'tokens must carry a did claim binding them to one device (default false)'],
  ['TRUST_PROXY', 'proxy hops in front whose X-Forwarded-For/-Proto are trusted (default 0: none)'],
  ['HANDSHAKE_CONCURRENCY', 'socket handshakes verified at once per node (default 32)'],
  ['HANDSHAKE_QUEUE', 'handshakes waiting for a slot per node before refusals (default 1024)'],
  ['HANDSHAKE_PER_IP', 'handshakes running or waiting from one client IP (default 256)'],
  ['HTTP_HEADERS_TIMEOUT_MS', 'a request whose headers take longer is dropped (default 10000)'],
  ['HTTP_REQUEST_TIMEOUT_MS', 'a request (headers and body) taking longer is dropped (default 30000)'],
  ['HTTP_KEEPALIVE_TIMEOUT_MS', 'idle keep-alive HTTP connections are closed after this (default 5000)'],
  ['MAX_SOCKETS_PER_USER', 'sockets one user may hold on one node, connected or connecting (default 20)'],
  ['SEND_BUFFER_BYTES', 'bytes queued for one connection that does not read before it is closed (default 1048576)'],
  ['NODE_SEND_BUFFER_BYTES', 'bytes queued for all connections of a node before the largest queues are cut (default 67108864)'],
  ['MAX_CONNECTIONS', 'open TCP connections per node, 0 for no limit (default 20000)'],
];

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'], { error: 'expected true or false (1/0, yes/no, on/off)' })
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));
const int = (min: number, max: number) => z.coerce.number({ error: 'expected a number' }).int().min(min).max(max);

export const SecurityEnv = z.object({
  JWT_MAX_LIFETIME_SEC: int(60, 366 * 86_400).default(86_400),
  JWT_REQUIRE_DEVICE: bool.default(false),
  TRUST_PROXY: int(0, 10).default(0),
  HANDSHAKE_CONCURRENCY: int(1, 10_000).default(32),
  HANDSHAKE_QUEUE: int(0, 1_000_000).default(1024),
  HANDSHAKE_PER_IP: int(1, 1_000_000).default(256),
  HTTP_HEADERS_TIMEOUT_MS: int(100, 600_000).default(10_000),
  HTTP_REQUEST_TIMEOUT_MS: int(100, 3_600_000).default(30_000),
  HTTP_KEEPALIVE_TIMEOUT_MS: int(100, 600_000).default(5000),
  MAX_CONNECTIONS: int(0, 10_000_000).default(20_000),
  MAX_SOCKETS_PER_USER: int(1, 10_000).default(20),
  SEND_BUFFER_BYTES: int(64 * 1024, 1024 * 1024 * 1024).default(1024 * 1024),
  NODE_SEND_BUFFER_BYTES: int(1024 * 1024, 64 * 1024 * 1024 * 1024).default(64 * 1024 * 1024),
});

/** Parses the security limits from the (already emptiness-filtered) environment record. */
export function securityConfig(env: z.infer<typeof SecurityEnv>): SecurityConfig {
  return {
    trustProxy: env.TRUST_PROXY,
    handshake: { concurrency: env.HANDSHAKE_CONCURRENCY, queue: env.HANDSHAKE_QUEUE, perIp: env.HANDSHAKE_PER_IP },
    http: {
      headersTimeoutMs: env.HTTP_HEADERS_TIMEOUT_MS,
      // Node refuses a request timeout below the headers timeout.
      requestTimeoutMs: Math.max(env.HTTP_REQUEST_TIMEOUT_MS, env.HTTP_HEADERS_TIMEOUT_MS),
      keepAliveTimeoutMs: env.HTTP_KEEPALIVE_TIMEOUT_MS,
      maxConnections: env.MAX_CONNECTIONS,
    },
    maxSocketsPerUser: env.MAX_SOCKETS_PER_USER,
    sendBuffer: { maxBytes: env.SEND_BUFFER_BYTES, nodeMaxBytes: env.NODE_SEND_BUFFER_BYTES },
  };
}
