import { z } from 'zod';

/** How the nodes reach a replicated Redis and how durable an acknowledgement is. */
export interface RedisHaConfig {
  /** Sentinels to ask for the current primary (empty: no Sentinel). */
  sentinels: Array<{ host: string; port: number }>;
  /** The primary's group name in the Sentinels' `sentinel monitor`. */
  sentinelName: string;
  sentinelPassword: string | null;
  /** Password of the Redis nodes (Sentinel and Cluster deployments; a REDIS_URL carries its own). */
  password: string | null;
  /**
   * A mutation is acknowledged only once this many replicas have it (WAIT after the script); 0 acknowledges
   * what the primary committed, which a failover to a lagging replica can lose.
   */
  minReplicasAck: number;
  /** Longest WAIT for those replicas; a write not replicated in time answers `unavailable`. */
  replicasAckTimeoutMs: number;
}

/** The variables of replicated deployments, for CONFIG_VARIABLES and `--help`. */
export const REDIS_HA_VARIABLES: ReadonlyArray<[name: string, help: string]> = [
  ['REDIS_SENTINELS', 'comma list host:port of Redis Sentinels (instead of REDIS_URL); they name the current primary'],
  ['REDIS_SENTINEL_NAME', 'the primary group name the Sentinels monitor (default mymaster)'],
  ['REDIS_SENTINEL_PASSWORD', 'password of the Sentinels (requirepass in sentinel.conf)'],
  ['REDIS_PASSWORD', 'password of the Redis nodes behind Sentinel or Cluster (a REDIS_URL carries its own)'],
  ['REDIS_MIN_REPLICAS_ACK', 'acknowledge a mutation only once this many replicas have it (WAIT); 0 (default) acknowledges the primary\'s commit'],
  ['REDIS_REPLICAS_ACK_TIMEOUT_MS', 'longest wait for those replicas; not replicated in time answers unavailable, the SDK retries safely (default 500)'],
];

type Problem = { variable: string; problem: string };

const hostPort = z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port');
const int = (min: number, max: number) => z.coerce.number({ error: 'expected a number' }).int().min(min).max(max);
const text = z.string().min(1).max(512);

const HaEnv = z.object({
  REDIS_SENTINELS: z
    .string()
    .transform((v) => v.split(',').map((s) => s.trim()).filter((s) => s.length > 0))
    .pipe(z.array(hostPort).min(1).max(32))
    .optional(),
  REDIS_SENTINEL_NAME: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'expected 1-64 of [A-Za-z0-9._-]').default('mymaster'),
  REDIS_SENTINEL_PASSWORD: text.optional(),
  REDIS_PASSWORD: text.optional(),
  REDIS_MIN_REPLICAS_ACK: int(0, 16).default(0),
  REDIS_REPLICAS_ACK_TIMEOUT_MS: int(10, 60_000).default(500),
  REDIS_COMMAND_TIMEOUT_MS: int(50, 60_000).default(1000),
});

/** Parses the replicated-deployment variables; problems name the variable, never a password. */
export function parseRedisHaConfig(env: Record<string, string | undefined>): { ha: RedisHaConfig | null; problems: Problem[] } {
  const parsed = HaEnv.safeParse(env);
  if (!parsed.success) {
    return { ha: null, problems: parsed.error.issues.map((issue) => ({ variable: String(issue.path[0] ?? ''), problem: issue.message })) };
  }
  const e = parsed.data;
  const problems: Problem[] = [];
  // The WAIT runs inside the mutation's deadline: a longer one would always be cut off as a timeout.
  if (e.REDIS_MIN_REPLICAS_ACK > 0 && e.REDIS_REPLICAS_ACK_TIMEOUT_MS >= e.REDIS_COMMAND_TIMEOUT_MS) {
    problems.push({ variable: 'REDIS_REPLICAS_ACK_TIMEOUT_MS', problem: 'must be shorter than REDIS_COMMAND_TIMEOUT_MS' });
  }
  const sentinels = (e.REDIS_SENTINELS ?? []).map((entry) => {
    const at = entry.lastIndexOf(':');
    return { host: entry.slice(0, at), port: Number(entry.slice(at + 1)) };
  });
  if (sentinels.some((s) => s.port < 1 || s.port > 65535)) problems.push({ variable: 'REDIS_SENTINELS', problem: 'port out of range' });
  return {
    ha: {
      sentinels,
      sentinelName: e.REDIS_SENTINEL_NAME,
      sentinelPassword: e.REDIS_SENTINEL_PASSWORD ?? null,
      password: e.REDIS_PASSWORD ?? null,
      minReplicasAck: e.REDIS_MIN_REPLICAS_ACK,
      replicasAckTimeoutMs: e.REDIS_REPLICAS_ACK_TIMEOUT_MS,
    },
    problems,
  };
}
