import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** What an API key may do: `read` answers GETs only, `write` everything. */
export type ApiKeyScope = 'read' | 'write';

export interface ApiKey {
  /** Shown in logs and used as the backend writer's name; never the secret. */
  name: string;
  secret: string;
  scope: ApiKeyScope;
}

export interface AdminConfig {
  /** 0 picks a free port (the node logs `admin listening` with the port it got). */
  port: number;
  host: string;
  keys: ApiKey[];
  /** The backend's own token bucket per user (apart from the devices' bucket). */
  rateLimit: { perSecond: number; burst: number };
  /** How long a mutating call's Idempotency-Key is remembered, and how many a user may hold at once. */
  idempotency: { ttlMs: number; maxPerUser: number };
  /** Slow-client bounds of the admin listener, as the client port has (a backend on a bad link, a slowloris). */
  http: { headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number; maxConnections: number };
}

/** The admin listener's variables, for CONFIG_VARIABLES and `--help`. */
export const ADMIN_CONFIG_VARIABLES: ReadonlyArray<[name: string, help: string]> = [
  ['ADMIN_PORT', 'port of the admin listener (backend API, /metrics); default PORT + 10000 (0 when PORT is 0); 0 picks a free one'],
  ['ADMIN_HOST', 'bind address of the admin listener (default 127.0.0.1)'],
  ['API_KEYS', 'comma list of name:secret:scope (scope read or write; secrets at least 32 characters), e.g. orders:<secret>:write'],
  ['API_KEYS_FILE', 'file with one name:secret:scope per line (# comments allowed), read at start; combined with API_KEYS'],
  ['API_RATE_LIMIT_PER_SEC', 'backend API writes per second per user, apart from the devices\' bucket (default 100)'],
  ['API_RATE_LIMIT_BURST', 'burst of the backend API bucket per user (default 200)'],
  ['API_IDEMPOTENCY_TTL_MS', 'how long an Idempotency-Key is remembered (default and minimum 86400000, 24 h)'],
  ['ADMIN_HTTP_HEADERS_TIMEOUT_MS', 'an admin request whose headers take longer is dropped (default 10000)'],
  ['ADMIN_HTTP_REQUEST_TIMEOUT_MS', 'an admin request (headers and body) taking longer is dropped (default 30000)'],
  ['ADMIN_HTTP_KEEPALIVE_TIMEOUT_MS', 'idle keep-alive admin connections are closed after this (default 5000)'],
  ['ADMIN_MAX_CONNECTIONS', 'open TCP connections of the admin listener, 0 for no limit (default 1000)'],
  ['API_IDEMPOTENCY_MAX_PER_USER', 'Idempotency-Keys remembered per user within the TTL; past it writes answer 429 (default 10000)'],
];

type Problem = { variable: string; problem: string };

const DAY_MS = 86_400_000;
const int = (min: number, max: number) => z.coerce.number({ error: 'expected a number' }).int().min(min).max(max);

const AdminEnv = z.object({
  PORT: int(0, 65535).default(3000),
  ADMIN_PORT: int(0, 65535).optional(),
  ADMIN_HOST: z.string().min(1).default('127.0.0.1'),
  API_KEYS: z.string().optional(),
  API_KEYS_FILE: z.string().min(1).optional(),
  API_RATE_LIMIT_PER_SEC: int(1, 1_000_000).default(100),
  API_RATE_LIMIT_BURST: int(1, 1_000_000).default(200),
  API_IDEMPOTENCY_TTL_MS: int(DAY_MS, 365 * DAY_MS).default(DAY_MS),
  API_IDEMPOTENCY_MAX_PER_USER: int(100, 1_000_000).default(10_000),
  ADMIN_HTTP_HEADERS_TIMEOUT_MS: int(100, 600_000).default(10_000),
  ADMIN_HTTP_REQUEST_TIMEOUT_MS: int(100, 3_600_000).default(30_000),
  ADMIN_HTTP_KEEPALIVE_TIMEOUT_MS: int(100, 600_000).default(5000),
  ADMIN_MAX_CONNECTIONS: int(0, 10_000_000).default(1000),
});

const KEY_NAME = /^[A-Za-z0-9_-]{1,32}$/;

/** Parses `name:secret:scope` entries; every problem names the entry by position, never by its secret. */
export function parseApiKeys(entries: string[], source: string): { keys: ApiKey[]; problems: Problem[] } {
  const keys: ApiKey[] = [];
  const problems: Problem[] = [];
  entries.forEach((entry, i) => {
    const parts = entry.split(':');
    const where = `${source} entry ${i + 1}`;
    if (parts.length !== 3) {
      problems.push({ variable: source, problem: `${where}: expected name:secret:scope` });
      return;
    }
    const [name = '', secret = '', scope = ''] = parts;
    if (!KEY_NAME.test(name)) problems.push({ variable: source, problem: `${where}: name must be 1-32 letters, digits, _ or -` });
    else if (secret.length < 32) problems.push({ variable: source, problem: `${where} (${name}): secret must be at least 32 characters` });
    else if (scope !== 'read' && scope !== 'write') problems.push({ variable: source, problem: `${where} (${name}): scope must be read or write` });
    else keys.push({ name, secret, scope });
  });
  return { keys, problems };
}

/**
 * The admin listener's configuration from the (already defined-only) environment. Reads API_KEYS_FILE once.
 * Returns problems instead of throwing so loadConfig reports them with the rest.
 */
export function parseAdminConfig(env: Record<string, string | undefined>): { admin: AdminConfig | null; problems: Problem[] } {
  const parsed = AdminEnv.safeParse(env);
  if (!parsed.success) {
    return { admin: null, problems: parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? 'environment'), problem: i.message })) };
  }
  const e = parsed.data;
  const problems: Problem[] = [];
  const entries: Array<{ list: string[]; source: string }> = [];
  if (e.API_KEYS !== undefined) entries.push({ list: e.API_KEYS.split(',').map((s) => s.trim()).filter(Boolean), source: 'API_KEYS' });
  if (e.API_KEYS_FILE !== undefined) {
    try {
      const lines = readFileSync(e.API_KEYS_FILE, 'utf8').split('\n').map((s) => s.trim());
      entries.push({ list: lines.filter((l) => l.length > 0 && !l.startsWith('#')), source: 'API_KEYS_FILE' });
    } catch {
      problems.push({ variable: 'API_KEYS_FILE', problem: 'cannot read the file' });
    }
  }
  const keys: ApiKey[] = [];
  for (const { list, source } of entries) {
    const result = parseApiKeys(list, source);
    keys.push(...result.keys);
    problems.push(...result.problems);
  }
  const names = new Set<string>();
  const secrets = new Set<string>();
  for (const key of keys) {
    if (names.has(key.name)) problems.push({ variable: 'API_KEYS', problem: `key name ${key.name} appears twice` });
    if (secrets.has(key.secret)) problems.push({ variable: 'API_KEYS', problem: `key ${key.name} reuses another key's secret` });
    names.add(key.name);
    secrets.add(key.secret);
  }
  const derived = e.PORT === 0 ? 0 : e.PORT + 10_000;
  if (e.ADMIN_PORT === undefined && derived > 65535) {
    problems.push({ variable: 'ADMIN_PORT', problem: `PORT + 10000 is past 65535: set ADMIN_PORT` });
  }
  const port = e.ADMIN_PORT ?? derived;
  if (port !== 0 && port === e.PORT) problems.push({ variable: 'ADMIN_PORT', problem: 'must differ from PORT (the admin API never shares the client port)' });
  return {
    admin: {
      port,
      host: e.ADMIN_HOST,
      keys,
      rateLimit: { perSecond: e.API_RATE_LIMIT_PER_SEC, burst: e.API_RATE_LIMIT_BURST },
      idempotency: { ttlMs: e.API_IDEMPOTENCY_TTL_MS, maxPerUser: e.API_IDEMPOTENCY_MAX_PER_USER },
      http: {
        headersTimeoutMs: e.ADMIN_HTTP_HEADERS_TIMEOUT_MS,
        // Node refuses a request timeout below the headers timeout.
        requestTimeoutMs: Math.max(e.ADMIN_HTTP_REQUEST_TIMEOUT_MS, e.ADMIN_HTTP_HEADERS_TIMEOUT_MS),
        keepAliveTimeoutMs: e.ADMIN_HTTP_KEEPALIVE_TIMEOUT_MS,
        maxConnections: e.ADMIN_MAX_CONNECTIONS,
      },
    },
    problems,
  };
}
