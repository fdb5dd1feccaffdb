import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ADMIN_CONFIG_VARIABLES, parseAdminConfig, type AdminConfig } from './config/admin.ts';
import { resolveJwtKey, type JwtKeyConfig } from './config/jwt.ts';
import { DOMAIN_CONFIG_VARIABLES, parseDomainConfig, type DomainConfig } from './config/domain.ts';
import { WATCH_CONFIG_VARIABLES, parseWatchConfig } from './config/watch.ts';
import { AUTH_COOKIE_VARIABLES, parseAuthCookieConfig } from './config/auth-cookie.ts';
import type { WatchRules } from '../client-sdk/src/protocol/index.ts';
import { REDIS_HA_VARIABLES, parseRedisHaConfig, type RedisHaConfig } from './config/redis-ha.ts';
import { SECURITY_VARIABLES, SecurityEnv, securityConfig, type SecurityConfig } from './config/security.ts';
import { WEBHOOK_CONFIG_VARIABLES, parseWebhooksConfig, type WebhooksConfig } from './config/webhooks.ts';
import { WEBHOOK_DISPATCH_VARIABLES, parseWebhookDispatchConfig, type WebhookDispatchConfig } from './config/webhook-dispatch.ts';

export type { JwtKeyConfig };

export interface Config {
  env: 'production' | 'development' | 'test';
  port: number;
  host: string;
  nodeId: string;
  /** null: the in-process memory engine (single node). */
  redis: null | {
    url: string | null;
    /** `host:port` seed nodes of a Redis Cluster (empty: standalone `url`). */
    clusterNodes: string[];
    commandTimeoutMs: number;
    /** socket.io adapter: sharded pub/sub with a channel per room, or the classic pattern-subscribe one. */
    adapter: 'sharded' | 'classic';
    /** Sentinel, passwords and replica acknowledgements (see server/config/redis-ha.ts). */
    ha: RedisHaConfig;
  };
  jwt: {
    key: JwtKeyConfig;
    /** The only `alg` values accepted. */
    algorithms: string[];
    issuer: string | null;
    audience: string | null;
    clockToleranceSec: number;
    /** Longest lifetime accepted: exp - iat (exp - now without iat), in seconds. */
    maxLifetimeSec: number;
    /** Tokens must carry `did`, binding them to one device. */
    requireDevice: boolean;
  };
  /** Origins allowed to open a socket besides same-origin pages and non-browser clients; `*` allows all. */
  corsOrigins: string[];
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  devTokens: boolean;
  rateLimit: { perSecond: number; burst: number };
  maxDevices: number;
  drain: { windowMs: number; timeoutMs: number };
  ping: { intervalMs: number; timeoutMs: number };
  /** Folder served at / (null: not served). */
  demoDir: string | null;
  /** The admin listener: backend API, /metrics (see server/config/admin.ts). */
  admin: AdminConfig;
  /** Prices, checkout and retention (see server/config/domain.ts). */
  domain: DomainConfig;
  /** What a watch report leaves as the resume point (see server/config/watch.ts). */
  watch: WatchRules;
  /** Bounds on tokens, handshakes and HTTP connections. */
  security: SecurityConfig;
  /** Declared endpoints, delivery timing and safety of webhooks (see server/config/webhooks.ts). */
  webhooks: WebhooksConfig;
  /** The cookie a browser's upgrade may carry the JWT in, besides the handshake's token (null: off). */
  authCookieName: string | null;
  /** The pull feed, the sweep and the leases of webhook delivery (see server/config/webhook-dispatch.ts). */
  webhookDispatch: WebhookDispatchConfig & { pullOptIn: boolean };
  /** Things worth a loud warning at startup (embedded defaults). */
  warnings: string[];
}

/** Every variable the server reads, with its meaning; `--help` prints this. */
export const CONFIG_VARIABLES: ReadonlyArray<[name: string, help: string]> = [
  ['NODE_ENV', 'production makes JWT configuration mandatory and forbids DEV_TOKENS'],
  ['PORT', 'HTTP and socket port (default 3000; 0 picks a free one)'],
  ['HOST', 'bind address (default 0.0.0.0 with Redis, 127.0.0.1 for the embedded memory engine)'],
  ['NODE_ID', 'this node\'s name in logs and device lists (default <hostname>-<pid>)'],
  ['REDIS_URL', 'redis://[user:pass@]host:port[/db]; unset: in-process memory engine, single node'],
  ['REDIS_CLUSTER_NODES', 'comma list host:port of Redis Cluster seed nodes (instead of REDIS_URL)'],
  ['REDIS_COMMAND_TIMEOUT_MS', 'a Redis command not answered in this time fails as unavailable (default 1000)'],
  ['SOCKET_ADAPTER', 'sharded (Redis 7 sharded pub/sub, channel per user room) or classic (default sharded)'],
  ['JWT_SECRET', 'HS256 shared secret, at least 32 characters'],
  ['JWT_PUBLIC_KEY', 'PEM public key (RSA → RS256, EC P-256 → ES256, Ed25519 → EdDSA); \\n escapes allowed'],
  ['JWT_JWKS_URL', 'https URL of a JWKS (RS256, ES256, EdDSA)'],
  ['JWT_ISSUER', 'required iss claim, when set'],
  ['JWT_AUDIENCE', 'required aud claim, when set'],
  ['JWT_ALGORITHMS', 'comma list overriding the accepted algorithms (must fit the key kind)'],
  ['CORS_ORIGINS', 'comma list of browser origins allowed besides same-origin, or * (default none)'],
  ['LOG_LEVEL', 'fatal|error|warn|info|debug|trace|silent (default info)'],
  ['DEV_TOKENS', 'enable POST /auth/dev-token (default on only for the embedded memory engine)'],
  ['RATE_LIMIT_PER_SEC', 'requests per second per user, across nodes (default 50)'],
  ['RATE_LIMIT_BURST', 'burst size of the per-user bucket (default 100)'],
  ['MAX_DEVICES_PER_USER', 'device cap per user (default 10)'],
  ['DRAIN_WINDOW_MS', 'on SIGTERM, clients are told to reconnect spread over this window (default 3000)'],
  ['DRAIN_TIMEOUT_MS', 'on SIGTERM, exit after this long even with sockets left (default 8000)'],
  ['PING_INTERVAL_MS', 'socket.io heartbeat interval (default 5000)'],
  ['PING_TIMEOUT_MS', 'socket.io heartbeat timeout (default 5000)'],
  ['SERVE_DEMO', 'serve demo/public at / when the folder exists (default on unless production)'],
  ...REDIS_HA_VARIABLES,
  ...ADMIN_CONFIG_VARIABLES,
  ...DOMAIN_CONFIG_VARIABLES,
  ...WATCH_CONFIG_VARIABLES,
  ...AUTH_COOKIE_VARIABLES,
  ...SECURITY_VARIABLES,
  ...WEBHOOK_CONFIG_VARIABLES,
  ...WEBHOOK_DISPATCH_VARIABLES,
];

export class ConfigError extends Error {
  constructor(readonly problems: Array<{ variable: string; problem: string }>) {
    super(problems.map((p) => `${p.variable}: ${p.problem}`).join('\n'));
    this.name = 'ConfigError';
  }
}

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'], { error: 'expected true or false (1/0, yes/no, on/off)' })
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));
const int = (min: number, max: number) => z.coerce.number({ error: 'expected a number' }).int().min(min).max(max);
const list = (v: string) => v.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
const origin = z
  .string()
  .refine((o) => o === '*' || safeOrigin(o) === o.replace(/\/$/, ''), 'expected origins like https://app.example.com')
  .transform((o) => (o === '*' ? o : (safeOrigin(o) ?? o)));
const hostPort = z.string().regex(/^[A-Za-z0-9_.-]+:\d{1,5}$/, 'expected host:port');
const ALG = z.enum(['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519']);

const EnvSchema = z.object({
  NODE_ENV: z.enum(['production', 'development', 'test']).default('development'),
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).optional(),
  NODE_ID: z.string().min(1).max(128).regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits, _ . : - only').optional(),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'expected redis://host:port or rediss://host:port' }).optional(),
  REDIS_CLUSTER_NODES: z.string().transform(list).pipe(z.array(hostPort).min(1)).optional(),
  REDIS_COMMAND_TIMEOUT_MS: int(50, 60_000).default(1000),
  SOCKET_ADAPTER: z.enum(['sharded', 'classic']).default('sharded'),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_PUBLIC_KEY: z.string().transform((v) => v.replaceAll('\\n', '\n')).optional(),
  JWT_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
  JWT_ISSUER: z.string().min(1).optional(),
  JWT_AUDIENCE: z.string().min(1).optional(),
  JWT_ALGORITHMS: z.string().transform(list).pipe(z.array(ALG).min(1)).optional(),
  CORS_ORIGINS: z.string().transform(list).pipe(z.array(origin)).default([]),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DEV_TOKENS: bool.optional(),
  RATE_LIMIT_PER_SEC: int(1, 1_000_000).default(50),
  RATE_LIMIT_BURST: int(1, 1_000_000).default(100),
  MAX_DEVICES_PER_USER: int(1, 1000).default(10),
  DRAIN_WINDOW_MS: int(0, 600_000).default(3000),
  DRAIN_TIMEOUT_MS: int(100, 3_600_000).default(8000),
  PING_INTERVAL_MS: int(100, 600_000).default(5000),
  PING_TIMEOUT_MS: int(100, 600_000).default(5000),
  SERVE_DEMO: bool.optional(),
}).extend(SecurityEnv.shape);
type Env = z.infer<typeof EnvSchema>;

function safeOrigin(value: string): string | null {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null;
  }
}

/**
 * Reads and validates the configuration. Pure apart from the ephemeral dev secret:
 * pass the environment in (main passes process.env; tests pass objects).
 */
export function loadConfig(rawEnv: Record<string, string | undefined>): Config {
  // An empty variable means "unset", as in most deployment tools.
  const defined = Object.fromEntries(Object.entries(rawEnv).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = EnvSchema.safeParse(defined);
  const admin = parseAdminConfig(defined);
  const domain = parseDomainConfig(defined);
  const watch = parseWatchConfig(defined);
  const ha = parseRedisHaConfig(defined);
  const webhooks = parseWebhooksConfig(defined, { production: defined.NODE_ENV === 'production' });
  const cookie = parseAuthCookieConfig(defined);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? 'environment'), problem: i.message }));
    throw new ConfigError([...issues, ...admin.problems, ...domain.problems, ...watch.problems, ...ha.problems, ...webhooks.problems, ...cookie.problems]);
  }
  if (!domain.domain || !watch.watch || cookie.problems.length > 0) throw new ConfigError([...domain.problems, ...watch.problems, ...webhooks.problems, ...cookie.problems]);
  const dispatch = parseWebhookDispatchConfig(defined);
  if (!dispatch.dispatch) throw new ConfigError(dispatch.problems);
  return { ...finish(parsed.data, admin, domain.domain, ha, webhooks), watch: watch.watch, authCookieName: cookie.cookieName, webhookDispatch: dispatch.dispatch };
}

function finish(
  env: Env,
  adminResult: ReturnType<typeof parseAdminConfig>,
  domain: DomainConfig,
  haResult: ReturnType<typeof parseRedisHaConfig>,
  webhooksResult: ReturnType<typeof parseWebhooksConfig>,
): Omit<Config, 'watch' | 'authCookieName'> {
  const problems: Array<{ variable: string; problem: string }> = [...adminResult.problems, ...haResult.problems, ...webhooksResult.problems];
  const ha = haResult.ha;
  const admin = adminResult.admin;
  const webhooks = webhooksResult.webhooks;
  const warnings: string[] = [...webhooksResult.warnings];
  const production = env.NODE_ENV === 'production';
  const sentinel = (ha?.sentinels.length ?? 0) > 0;
  const embedded = env.REDIS_URL === undefined && env.REDIS_CLUSTER_NODES === undefined && !sentinel;
  if (sentinel && (env.REDIS_URL !== undefined || env.REDIS_CLUSTER_NODES !== undefined)) {
    problems.push({ variable: 'REDIS_SENTINELS', problem: 'set REDIS_SENTINELS or REDIS_URL / REDIS_CLUSTER_NODES, not both' });
  }
  if (embedded && (ha?.minReplicasAck ?? 0) > 0) problems.push({ variable: 'REDIS_MIN_REPLICAS_ACK', problem: 'needs Redis (REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS)' });

  const { key, algorithms } = resolveJwtKey(env, { production, embedded }, problems, warnings);

  const devTokens = env.DEV_TOKENS ?? (embedded && !production && key?.kind === 'secret');
  if (devTokens && production) problems.push({ variable: 'DEV_TOKENS', problem: 'cannot be on with NODE_ENV=production' });
  if (devTokens && key && key.kind !== 'secret') problems.push({ variable: 'DEV_TOKENS', problem: 'needs JWT_SECRET (it signs with the shared secret)' });
  if (devTokens) warnings.push('DEV_TOKENS is on: anyone who can reach POST /auth/dev-token can mint a token for any user');
  if (admin && admin.keys.length === 0) warnings.push('no API_KEYS: the backend API on the admin port refuses every call (401)');
  if (embedded) warnings.push('no REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS: in-process memory engine, single node, state is lost on exit');

  if (env.DRAIN_TIMEOUT_MS <= env.DRAIN_WINDOW_MS) {
    problems.push({ variable: 'DRAIN_TIMEOUT_MS', problem: 'must be larger than DRAIN_WINDOW_MS' });
  }
  if (problems.length > 0 || !key || !admin || !ha || !webhooks) throw new ConfigError(problems);

  const serveDemo = env.SERVE_DEMO ?? !production;
  return {
    env: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST ?? (embedded ? '127.0.0.1' : '0.0.0.0'),
    nodeId: env.NODE_ID ?? `${hostname().replace(/[^A-Za-z0-9_.:-]/g, '-').slice(0, 100)}-${process.pid}`,
    redis: embedded
      ? null
      : {
          url: env.REDIS_URL ?? null,
          clusterNodes: env.REDIS_CLUSTER_NODES ?? [],
          commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS,
          adapter: env.SOCKET_ADAPTER,
          ha,
        },
    jwt: {
      key,
      algorithms,
      issuer: env.JWT_ISSUER ?? null,
      audience: env.JWT_AUDIENCE ?? null,
      clockToleranceSec: 5,
      maxLifetimeSec: env.JWT_MAX_LIFETIME_SEC,
      requireDevice: env.JWT_REQUIRE_DEVICE,
    },
    corsOrigins: env.CORS_ORIGINS,
    logLevel: env.LOG_LEVEL,
    devTokens,
    rateLimit: { perSecond: env.RATE_LIMIT_PER_SEC, burst: env.RATE_LIMIT_BURST },
    maxDevices: env.MAX_DEVICES_PER_USER,
    drain: { windowMs: env.DRAIN_WINDOW_MS, timeoutMs: env.DRAIN_TIMEOUT_MS },
    ping: { intervalMs: env.PING_INTERVAL_MS, timeoutMs: env.PING_TIMEOUT_MS },
    demoDir: serveDemo ? fileURLToPath(new URL('../demo/public', import.meta.url)) : null,
    admin,
    domain,
    security: securityConfig(env),
    webhooks,
    webhookDispatch: { pull: false, pullOptIn: false, sweepMs: 30_000, leaseMs: 10_000 },
    warnings,
  };
}

/** The text `--help` prints. */
export function configHelp(): string {
  const width = Math.max(...CONFIG_VARIABLES.map(([name]) => name.length));
  const lines = CONFIG_VARIABLES.map(([name, help]) => `  ${name.padEnd(width)}  ${help}`);
  return ['Tandem gateway node. Configuration (environment variables):', ...lines].join('\n');
}

/** Reads the process environment: the one place in the server that touches process.env. */
export function loadProcessConfig(): Config {
  return loadConfig(process.env);
}
